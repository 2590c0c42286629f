from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.generic import FormView, ListView, TemplateView, View

from core.antispam import PublicFormMixin
from core.pages import cached_page, row_fingerprint

from . import calendar, directions, queries, receipt, services, structured_data
from .forms import ChangeDetailsForm, EventFilterForm, RegistrationForm
from .models import EventState, RegistrationStatus


class EventListView(ListView):
    template_name = "events/event_list.html"
    context_object_name = "events"

    def get_queryset(self):
        self.filter_form = EventFilterForm(self.request.GET or None)
        filters = {}
        if self.filter_form.is_bound and self.filter_form.is_valid():
            data = self.filter_form.cleaned_data
            filters = {
                "role": data["role"].code if data["role"] else None,
                "event_format": data["format"] or None,
                "audience": data["audience"] or None,
                "month": data["month"],
            }
        return queries.upcoming_events(**filters)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter_form"] = self.filter_form
        context["filtered"] = bool(self.request.GET)
        return context


class EventPageMixin:
    """Pages under /events/<slug>/: an event that is not there (or not
    public) is 404 whatever the method, as a reader expects, before a
    method the page does not take is refused with 405."""

    def dispatch(self, request, *args, **kwargs):
        self.event = queries.event_for_page(kwargs["slug"])
        if self.event is None:
            raise Http404("No such event")
        return super().dispatch(request, *args, **kwargs)


class EventDetailView(EventPageMixin, View):
    """The event page. A campaign sends hundreds here at once: each visitor
    costs one query (the event row, counts included, which makes the cache
    key) and the HTML comes from the cache (core/pages.py)."""

    template_name = "events/event_detail.html"

    def get(self, request, slug):
        event = self.event
        state = event.state()
        key = ("event", row_fingerprint(event), state)
        return cached_page(request, key, lambda: self.render(event, state))

    def render(self, event, state):
        prefetch_related_objects([event], "roles")
        context = {
            "event": event,
            "state": state,
            "page_url": structured_data.absolute(event.get_absolute_url()),
            "preview_text": structured_data.preview_text(event, state=state),
            "structured_data": structured_data.event_data(event, state=state),
        }
        if state == EventState.FULL:
            context["other_dates"] = queries.other_open_dates(event)
        if not event.accepts_registrations():
            context["next_event"] = queries.next_similar_event(event)
        return render(self.request, self.template_name, context)


class RegisterView(EventPageMixin, PublicFormMixin, FormView):
    """The registration form. A new and a repeat registration end on the
    same page, so the answer never tells a stranger whether an address is
    already registered."""

    template_name = "events/registration_form.html"
    form_class = RegistrationForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "event_roles": self.event.roles.all()}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        state = self.event.state()
        context["form"].waiting_list = state == EventState.FULL
        return {
            **context,
            "event": self.event,
            "state": state,
            "refusal": services.REFUSALS.get(state),
        }

    def form_valid(self, form):
        data = form.cleaned_data
        # 20 in 10 minutes from one address (a college's careers session
        # may share one), 5 an hour for one email and event.
        refusal = self.refusal(
            form,
            done_url=reverse("events:registered", kwargs={"slug": self.event.slug}),
            group="register",
            limits=("20/10m", "5/h"),
            email=f"{self.event.pk}:{data['email']}",
        )
        if refusal:
            return refusal
        try:
            outcome = services.register_candidate(
                self.event,
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                phone=data["phone"],
                role=data["role"],
                access_needs=data["access_needs"],
                heard_from=data["heard_from"],
                form_key=form.form_key(),
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        response = redirect("events:registered", slug=self.event.slug)
        # Only a new registration is remembered for the optional follow-up
        # questions (equality monitoring): a repeat, perhaps by a stranger,
        # sees the same page but answers nothing on anyone's behalf. A
        # repeat from the browser that made it keeps it, as the browser
        # keeps only the last answer: the same page sent again (a double
        # tap, before the first answer came back), or a browser whose
        # receipt already names it. It learns nothing new.
        held = receipt.read(self.request).registration_id
        registration_id = outcome.registration.pk
        if not (outcome.created or outcome.same_form or held == registration_id):
            registration_id = None
        receipt.give(response, email=data["email"], registration_id=registration_id)
        return response


class RegisteredView(EventPageMixin, TemplateView):
    template_name = "events/registration_received.html"

    def get_context_data(self, **kwargs):
        email = receipt.read(self.request).email
        return super().get_context_data(event=self.event, email=email, **kwargs)


class RegistrationMixin:
    """Finds the registration from the secret token in the URL, or 404."""

    def dispatch(self, request, *args, **kwargs):
        self.registration = queries.registration_for_token(kwargs["token"])
        if self.registration is None:
            raise Http404("No registration for this link")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            registration=self.registration,
            event=self.registration.event,
            position=services.waiting_position(self.registration),
            token=self.kwargs["token"],
            # Cancelling and giving a place back end when the event starts
            # (or is cancelled): the page offers neither after that.
            still_to_come=queries.is_still_to_come(self.registration.event),
            evening_over=not queries.is_under_way_or_to_come(self.registration.event),
        )
        return context


class ManageRegistrationView(RegistrationMixin, FormView):
    """/registration/<token>/: see the registration and change details.
    Only a POST changes anything: mail scanners follow links."""

    template_name = "events/registration_detail.html"
    form_class = ChangeDetailsForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        registration, event = self.registration, self.registration.event
        # The way in (an online event's joining link, the directions) is
        # wanted most by someone running late: it stays until the evening
        # ends. The calendar is for an evening still to come.
        if registration.status != "confirmed" or context["evening_over"]:
            return context
        context.update(
            evening=True,
            directions_url=directions.directions_url(event),
            postcode=directions.postcode(event.address),
        )
        if context["still_to_come"]:
            context.update(
                google_calendar_url=calendar.google_calendar_url(registration),
                outlook_calendar_url=calendar.outlook_calendar_url(registration),
            )
        return context

    def get_initial(self):
        registration = self.registration
        return {
            "first_name": registration.first_name,
            "last_name": registration.last_name,
            "phone": registration.phone,
            "access_needs": registration.access_needs,
        }

    def form_valid(self, form):
        try:
            services.update_registration_details(self.registration, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, "Your details have been updated.")
        return redirect("events:manage", token=self.kwargs["token"])


class CancelRegistrationView(RegistrationMixin, TemplateView):
    """A confirm page (GET) and the cancellation itself (POST)."""

    template_name = "events/registration_cancel.html"

    def post(self, request, *args, **kwargs):
        was_waiting = self.registration.status == RegistrationStatus.WAITING
        response = redirect("events:manage", token=kwargs["token"])
        try:
            services.cancel_registration(self.registration)
        except ValidationError as error:
            messages.info(request, error.messages[0])
            return response
        done = (
            "You have left the waiting list."
            if was_waiting
            else "Your registration has been cancelled."
        )
        messages.success(request, f"{done} We have sent you an email.")
        # The browser's receipt (the address, the registration) goes too.
        receipt.forget_if_about(request, response, self.registration)
        return response


class CalendarFileView(RegistrationMixin, View):
    """/registration/<token>/calendar.ics: the invite the confirmation
    carried, for someone with a place at an event still to come."""

    def get(self, request, *args, **kwargs):
        registration = self.registration
        if registration.status != "confirmed" or not queries.is_still_to_come(registration.event):
            raise Http404("No calendar entry for this registration")
        invite = calendar.registration_ics(registration)
        return HttpResponse(
            invite["content"],
            content_type=invite["mimetype"],
            headers={"Content-Disposition": 'attachment; filename="insight-event.ics"'},
        )


class GiveBackView(RegistrationMixin, TemplateView):
    """/registration/<token>/give-back/: the one-tap "I can't come" from the
    confirmation and reminders. A GET shows one button and changes nothing
    (mail scanners follow links); the POST gives the place to the first
    person waiting, then shows what happened (Post/Redirect/Get)."""

    template_name = "events/registration_give_back.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["give_back"] = queries.give_back_state(self.registration)
        return context

    def post(self, request, *args, **kwargs):
        response = redirect("events:give_back", token=kwargs["token"])
        # A refusal needs no message: the page, read again, says why
        # (the event started or was cancelled, or it is done already).
        try:
            services.release_place(self.registration)
        except ValidationError:
            return response
        # A release is a cancellation: the browser's receipt goes, as there.
        receipt.forget_if_about(request, response, self.registration)
        return response
