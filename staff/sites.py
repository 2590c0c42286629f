"""The admin site: a staff login reaches no admin page until it has passed
the second factor (staff/two_factor.py)."""

from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path

from . import two_factor


class StaffAdminSite(admin.AdminSite):
    def has_permission(self, request) -> bool:
        """Every admin view asks this (admin_view): an active staff user whose
        session passed the second factor, as django_otp's OTPAdminSite does."""
        return super().has_permission(request) and two_factor.is_verified(request.user)

    def login(self, request, extra_context=None):
        """The password, then the second factor: a staff user who has given the
        right password (now or earlier in this session) goes on to the
        second-factor page, keeping where they were going."""
        if two_factor.needs_second_factor(request.user):
            return redirect(two_factor.second_factor_url(request))
        response = super().login(request, extra_context)
        if request.method == "POST" and two_factor.needs_second_factor(request.user):
            return redirect(two_factor.second_factor_url(request))
        return response

    def get_urls(self):
        # Before the admin's own: its last pattern catches every other path.
        return [
            # Signing out must work half-way through signing in too: the
            # admin's own logout URL answers only those with permission.
            path("logout/", self.logout, name="logout"),
            path("second-factor/", two_factor.verify_view, name="second_factor"),
            path("second-factor/set-up/", two_factor.set_up_view, name="second_factor_set_up"),
            # The admin's own answers any staff session, whatever the model.
            path(
                "r/<int:content_type_id>/<path:object_id>/",
                self.admin_view(self.view_on_site),
                name="view_on_site",
            ),
            path(
                "second-factor/recovery-codes/",
                self.admin_view(two_factor.RecoveryCodesView.as_view()),
                name="recovery_codes",
            ),
            *super().get_urls(),
        ]

    def view_on_site(self, request, content_type_id, object_id):
        """Django's "View on site" redirect, for staff who may view the
        model: it names the object's page (a draft event's address gives
        its title away) to anyone signed in otherwise."""
        content_type = ContentType.objects.filter(pk=content_type_id).first()
        if content_type is None or not request.user.has_perm(
            f"{content_type.app_label}.view_{content_type.model}"
        ):
            raise Http404("No such page")
        return shortcut(request, content_type_id, object_id)
