from django.contrib import messages
from django.http import Http404
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import FormView, TemplateView

from core import sessions
from core.antispam import PublicFormMixin

from . import queries, services
from .forms import ManageAlertsForm, SubscribeForm

SESSION_EMAIL_KEY = "alerts_email"
ONE_CLICK_BODY = "One-Click"


class SubscribeView(PublicFormMixin, FormView):
    """/alerts/: ask for alerts. A new and a known address end on the same
    page after the same work, so the answer never tells a stranger whether
    an address is subscribed."""

    template_name = "alerts/subscription_form.html"
    form_class = SubscribeForm

    def form_valid(self, form):
        data = form.cleaned_data
        refusal = self.refusal(
            form,
            done_url=reverse("alerts:sent"),
            group="alerts",
            limits=("10/h", "5/h"),
            email=data["email"],
        )
        if refusal:
            return refusal
        services.subscribe(
            email=data["email"], roles=list(data["roles"]), event_format=data["format"]
        )
        self.request.session[SESSION_EMAIL_KEY] = data["email"]
        return redirect("alerts:sent")


class SentView(TemplateView):
    template_name = "alerts/subscription_sent.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(email=self.request.session.get(SESSION_EMAIL_KEY), **kwargs)


class SubscriptionMixin:
    """Finds the subscription from the secret token in the URL, or 404."""

    def dispatch(self, request, *args, **kwargs):
        self.subscription = queries.subscription_for_token(kwargs["token"])
        if self.subscription is None:
            raise Http404("No subscription for this link")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            subscription=self.subscription,
            roles=list(self.subscription.roles.all()),
            token=self.kwargs["token"],
        )
        return context


class ConfirmView(SubscriptionMixin, TemplateView):
    """A page with a button (GET) and the confirmation itself (POST): mail
    scanners follow links, so a GET never confirms."""

    template_name = "alerts/subscription_confirm.html"

    def post(self, request, *args, **kwargs):
        services.confirm_subscription(self.subscription)
        messages.success(request, "You will get an email when we add an event that suits you.")
        return redirect("alerts:manage", token=kwargs["token"])


class ManageView(SubscriptionMixin, FormView):
    """/alerts/manage/<token>/: change roles and format, or go on to
    unsubscribe. Not confirmed yet: the confirm page comes first."""

    template_name = "alerts/subscription_manage.html"
    form_class = ManageAlertsForm

    def get(self, request, *args, **kwargs):
        if not self.subscription.is_confirmed:
            return redirect("alerts:confirm", token=kwargs["token"])
        return super().get(request, *args, **kwargs)

    def get_initial(self):
        return {"roles": self.subscription.roles.all(), "format": self.subscription.format}

    def form_valid(self, form):
        services.update_subscription(
            self.subscription,
            roles=list(form.cleaned_data["roles"]),
            event_format=form.cleaned_data["format"],
        )
        messages.success(self.request, "Your event alerts have been updated.")
        return redirect("alerts:manage", token=self.kwargs["token"])


# Mail programs make the RFC 8058 one-click POST themselves, with no cookie
# and so no CSRF token: the secret token in the URL is what authorises it.
# The form on our own confirm page is still CSRF-checked, by hand, in post().
@method_decorator(csrf_exempt, name="dispatch")
class UnsubscribeView(SubscriptionMixin, TemplateView):
    """A confirm page with a button (GET; never unsubscribes, as mail
    scanners follow links), and the unsubscribe itself (POST): from that
    page, or one-click from a mail program's Unsubscribe button."""

    template_name = "alerts/subscription_unsubscribe.html"

    def post(self, request, *args, **kwargs):
        one_click = request.POST.get("List-Unsubscribe") == ONE_CLICK_BODY
        if not one_click:
            refused = CsrfViewMiddleware(lambda request: None).process_view(request, None, (), {})
            if refused is not None:
                return refused
        services.unsubscribe(self.subscription)
        # The "check your email" page's address goes with the subscription.
        sessions.forget(request, SESSION_EMAIL_KEY)
        if one_click:
            # The mail program wants a 2xx, not a redirect to follow.
            return render(request, "alerts/subscription_unsubscribed.html")
        return redirect("alerts:unsubscribed")


class UnsubscribedView(TemplateView):
    template_name = "alerts/subscription_unsubscribed.html"
