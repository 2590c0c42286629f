from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.generic import FormView, TemplateView

from core import tokens
from core.antispam import PublicFormMixin

from . import queries, services
from .forms import MentoringRequestForm

SESSION_EMAIL_KEY = "mentoring_request_email"


class RequestSupportView(PublicFormMixin, FormView):
    """/positive-action/: what positive action is, and the request form."""

    template_name = "mentoring/request_form.html"
    form_class = MentoringRequestForm

    def get_initial(self):
        return {"submission_key": tokens.new_token()}

    def form_valid(self, form):
        data = form.cleaned_data
        refusal = self.refusal(
            form,
            done_url=reverse("mentoring:sent"),
            group="mentoring",
            limits=("10/h", "5/h"),
            email=data["email"],
        )
        if refusal:
            return refusal
        try:
            services.request_support(
                name=data["name"],
                email=data["email"],
                phone=data["phone"],
                contact_method=data["contact_method"],
                role=data["role"],
                journey_stage=data["journey_stage"],
                support_kinds=data["support_kinds"],
                under_represented=data["under_represented"],
                anything_else=data["anything_else"],
                submission_key=data["submission_key"],
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        self.request.session[SESSION_EMAIL_KEY] = data["email"]
        return redirect("mentoring:sent")


class RequestSentView(TemplateView):
    template_name = "mentoring/request_sent.html"

    def get_context_data(self, **kwargs):
        email = self.request.session.get(SESSION_EMAIL_KEY)
        return super().get_context_data(email=email, **kwargs)


@method_decorator(never_cache, name="dispatch")
class RequestMixin:
    """Finds the request from the secret token in the URL, or 404. The pages
    show special-category data: never cached on the way."""

    def dispatch(self, request, *args, **kwargs):
        self.mentoring_request = queries.request_for_token(kwargs["token"])
        if self.mentoring_request is None:
            raise Http404("No request for this link")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(mentoring_request=self.mentoring_request, token=self.kwargs["token"])
        return context


class RequestDetailView(RequestMixin, TemplateView):
    """/positive-action/request/<token>/: what the candidate sent us."""

    template_name = "mentoring/request_detail.html"


class WithdrawRequestView(RequestMixin, TemplateView):
    """A confirm page (GET) and the withdrawal itself (POST), which erases
    the request: mail scanners follow links, so a GET changes nothing."""

    template_name = "mentoring/request_withdraw.html"

    def post(self, request, *args, **kwargs):
        services.withdraw_request(self.mentoring_request)
        return redirect("mentoring:withdrawn")


class WithdrawnView(TemplateView):
    template_name = "mentoring/request_withdrawn.html"
