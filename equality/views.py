from django.http import Http404
from django.shortcuts import redirect
from django.views.generic import FormView, TemplateView

from events import queries as event_queries
from events import receipt

from . import queries, services
from .forms import FOLLOW_UP, FollowUpForm, QuestionnaireForm


class QuestionnaireView(FormView):
    """/equality-questions/, offered on the page every registration ends on.

    Only a new registration, remembered in the browser's receipt
    (events/receipt.py), can answer, until its event's answers close; after
    a repeat registration (perhaps by a stranger), with no receipt, once
    answered or once closed, the pages and the thank-you page are the very
    same and the answers are not stored. So the page never tells whether an address was
    already registered, and no one answers on someone else's behalf.

    A first page that calls for follow-up questions is answered with the
    second page straight away rather than a redirect: nothing is stored
    until the second page is sent, and the first page's answers travel with
    it, never in a URL or a cookie."""

    template_name = "equality/questionnaire.html"
    form_class = QuestionnaireForm
    skip_url = "equality:skipped"

    def answering_registration(self):
        registration_id = receipt.read(self.request).registration_id
        return queries.registration_yet_to_answer(registration_id)

    def post(self, request, *args, **kwargs):
        if "skip" in request.POST:
            return self.forget(redirect(self.skip_url, **self.kwargs))
        first_page = self.get_form()
        if not first_page.is_valid():
            return self.form_invalid(first_page)
        if FOLLOW_UP not in request.POST:
            if first_page.needs_follow_up():
                follow_up = FollowUpForm(first_page=first_page)
                return self.render_to_response(self.get_context_data(form=follow_up))
            return self.done(first_page.answers())
        follow_up = FollowUpForm(request.POST, first_page=first_page)
        if not follow_up.is_valid():
            return self.render_to_response(self.get_context_data(form=follow_up))
        return self.done(first_page.answers(**follow_up.follow_up_answers()))

    def done(self, answers):
        registration = self.answering_registration()
        if registration is not None:
            services.record_answers(registration, answers=answers)
        return self.forget(redirect("equality:thanks"))

    def forget(self, response):
        receipt.forget_registration(self.request, response)
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["follow_up"] = isinstance(context["form"], FollowUpForm)
        return context


class RegistrationQuestionnaireView(QuestionnaireView):
    """/registration/<token>/equality-questions/: the same questions from a
    registration's secret link, while it has not answered them and its
    event still takes answers."""

    skip_url = "events:manage"

    def dispatch(self, request, *args, **kwargs):
        self.registration = event_queries.registration_for_token(kwargs["token"])
        if self.registration is None:
            raise Http404("No registration for this link")
        return super().dispatch(request, *args, **kwargs)

    def answering_registration(self):
        if not queries.may_answer(self.registration):
            return None
        return self.registration

    def get(self, request, *args, **kwargs):
        if not queries.may_answer(self.registration):
            return redirect("events:manage", **self.kwargs)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            event=self.registration.event, token=self.kwargs["token"], **kwargs
        )


class ThanksView(TemplateView):
    template_name = "equality/thanks.html"


class SkippedView(TemplateView):
    template_name = "equality/skipped.html"
