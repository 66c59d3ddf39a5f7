"""Login with password and a second factor (TOTP), API tokens, organisation settings."""

from __future__ import annotations

import base64
import io
from typing import cast

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from bedring.core.errors import DomainError
from bedring.core.hours import format_intervals
from bedring.core.roles import Perm

from . import selectors, services
from .access import staff_for_request, staff_view
from .forms import (
    ApiTokenCreateForm,
    ClosedDayForm,
    LoginForm,
    SiteHoursForm,
    TokenForm,
    hours_field_name,
)
from .models import ApiToken, ClosedDay, HoursKind, Site, User


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or reverse("web:dashboard")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("web:dashboard")


def _step_url(step: str, request: HttpRequest) -> str:
    """The next login step, carrying ``next`` encoded so that its own query string survives."""
    return f"{reverse(step)}?{urlencode({'next': _next_url(request)})}"


def _with_language(response: HttpResponse, user: User) -> HttpResponse:
    """Log in in the staff member's language, else the organisation's."""
    code = user.language
    if not code:
        first = user.memberships.select_related("organisation").first()
        code = first.organisation.language if first else ""
    if code:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME, code, samesite="Lax", max_age=365 * 86400
        )
    return response


def login_view(request: HttpRequest) -> HttpResponse:
    """Step one: username and password. django-axes counts failures and locks out."""
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = authenticate(
            request,
            username=form.cleaned_data["username"],
            password=form.cleaned_data["password"],
        )
        if user is not None:
            login(request, user)
            step = "accounts:verify" if _confirmed_device(user) else "accounts:enrol"
            return _with_language(HttpResponseRedirect(_step_url(step, request)), user)
        form.add_error(None, _("Username or password is wrong."))
    return render(request, "accounts/login.html", {"form": form, "next": _next_url(request)})


def _confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def _require_password_step(request: HttpRequest) -> User | None:
    if not request.user.is_authenticated:
        return None
    return request.user


def verify_view(request: HttpRequest) -> HttpResponse:
    """Step two: the six-digit code from the staff member's authenticator."""
    user = _require_password_step(request)
    if user is None:
        return redirect("accounts:login")
    device = _confirmed_device(user)
    if device is None:
        return redirect(_step_url("accounts:enrol", request))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["otp_token"]):
            otp_login(request, device)
            return redirect(_next_url(request))
        form.add_error("otp_token", _("The code is wrong or has expired. Try the next one."))
    return render(request, "accounts/verify.html", {"form": form, "next": _next_url(request)})


def _qr_svg(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()


def enrol_view(request: HttpRequest) -> HttpResponse:
    """First login: enrol an authenticator app by scanning a QR code, confirm with a code."""
    user = _require_password_step(request)
    if user is None:
        return redirect("accounts:login")
    if _confirmed_device(user) is not None:
        return redirect(_step_url("accounts:verify", request))
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["otp_token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            messages.success(request, _("Your authenticator app is set up."))
            return redirect(_next_url(request))
        form.add_error("otp_token", _("The code is wrong or has expired. Try the next one."))
    secret = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "accounts/enrol.html",
        {
            "form": form,
            "next": _next_url(request),
            # The SVG is generated here from our own data, not from user input.
            "qr_svg": mark_safe(_qr_svg(device.config_url)),  # noqa: S308
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        },
    )


# The device forgets what this login kept on it (the outreach phone's offline store and the
# cached outreach pages, docs/architecture.md "Offline on the phone"): the browser clears the
# site's storage and cache on the logout answer, and the page after it (the login page) runs
# the same wipe in script when it finds this cookie (for a browser that ignores the header).
WIPE_COOKIE = "bedring_wipe"
CLEAR_SITE_DATA = '"cache", "storage"'


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, _("You are logged out."))
    response = redirect("accounts:login")
    response["Clear-Site-Data"] = CLEAR_SITE_DATA
    response.set_cookie(
        WIPE_COOKIE, "1", max_age=600, samesite="Strict", secure=settings.SESSION_COOKIE_SECURE
    )
    return response


@staff_view(scope="self")
def tokens_view(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    form = ApiTokenCreateForm(request.POST or None)
    raw = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, raw = services.api_token_create(user=user, name=form.cleaned_data["name"])
        except DomainError as exc:
            form.add_error("name", str(exc.message))
        else:
            form = ApiTokenCreateForm()
    tokens = ApiToken.objects.filter(user=user)
    return render(request, "accounts/tokens.html", {"form": form, "tokens": tokens, "raw": raw})


@require_POST
@staff_view(scope="self")
def token_revoke_view(request: HttpRequest, token_id: int) -> HttpResponse:
    try:
        services.api_token_revoke(user=cast(User, request.user), token_id=token_id)
    except DomainError as exc:
        raise Http404 from exc
    messages.success(request, _("The token is revoked."))
    return redirect("accounts:tokens")


@staff_view()
def organisation_view(request: HttpRequest) -> HttpResponse:
    """INT-8, INT-9: the organisation's sites with opening, phone and medication hours."""
    staff = staff_for_request(request)
    organisation = staff.organisation
    sites = []
    for site in selectors.sites_with_hours(organisation):
        week = selectors.weekly_hours(list(site.hours.all()))
        rows = [
            (day, [format_intervals(week[kind].get(i, ())) for kind in HoursKind.values])
            for i, day in enumerate(_weekday_labels())
        ]
        sites.append({"site": site, "rows": rows})
    return render(
        request,
        "accounts/organisation.html",
        {
            "organisation": organisation,
            "rules": selectors.rules_for(organisation),
            "sites": sites,
            "kinds": HoursKind.choices,
            "closed_days": ClosedDay.objects.filter(organisation=organisation).select_related(
                "site"
            ),
            "can_edit": staff.can(Perm.ORG_SETTINGS),
        },
    )


def _weekday_labels() -> list[str]:
    from .forms import WEEKDAYS

    return [str(d) for d in WEEKDAYS]


def _site_of_active_org(request: HttpRequest, site_uuid: str) -> Site:
    staff = staff_for_request(request)
    site = Site.objects.filter(uuid=site_uuid, organisation=staff.organisation).first()
    if site is None:
        raise Http404
    return site


@staff_view(Perm.ORG_SETTINGS)
def site_hours_view(request: HttpRequest, site_uuid: str) -> HttpResponse:
    site = _site_of_active_org(request, site_uuid)
    week = selectors.weekly_hours(list(site.hours.all()))
    initial: dict[str, object] = {"open_on_public_holidays": site.open_on_public_holidays}
    for kind in HoursKind.values:
        for day in range(7):
            initial[hours_field_name(kind, day)] = format_intervals(week[kind].get(day, ()))
    form = SiteHoursForm(request.POST or None, initial=initial)
    closed_form = ClosedDayForm()
    if request.method == "POST" and form.is_valid():
        services.site_save_week(
            site=site,
            weeks={kind: form.week(kind) for kind in HoursKind.values},
            open_on_public_holidays=form.cleaned_data["open_on_public_holidays"],
        )
        messages.success(request, _("The hours of %(site)s are saved.") % {"site": site.name})
        return redirect("accounts:organisation")
    return render(
        request,
        "accounts/site_hours.html",
        {"site": site, "form": form, "closed_form": closed_form, "kinds": HoursKind.choices},
    )


@require_POST
@staff_view(Perm.ORG_SETTINGS)
def closed_day_add_view(request: HttpRequest, site_uuid: str) -> HttpResponse:
    site = _site_of_active_org(request, site_uuid)
    form = ClosedDayForm(request.POST)
    if form.is_valid():
        services.closed_day_add(
            organisation=site.organisation,
            site=site,
            date=form.cleaned_data["date"],
            reason=form.cleaned_data["reason"],
        )
        messages.success(request, _("The closed day is added."))
    else:
        messages.error(request, _("Give a valid date for the closed day."))
    return redirect("accounts:site_hours", site_uuid=site.uuid)
