"""Offer pages, managers' edits of an offer, courses with their sessions and participants,
enrolments and individual bookings (CAT-1, CAT-6, CAT-7, DEC-5, SCH-1, SCH-2). Thin: check
access through the getters in ``selectors``, parse a form, call one service, render. A
refused POST shows the reasons with 422; an eligibility refusal names the offer and the rule.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from bedring.accounts.access import staff_for_request, staff_view
from bedring.audit.services import access_search_results
from bedring.clients.access import client_for
from bedring.clients.selectors import client_search
from bedring.clients.views import client_context
from bedring.core import clock
from bedring.core.errors import DomainError
from bedring.core.forms import add_domain_error
from bedring.core.roles import Perm

from .. import selectors
from ..forms import (
    BookSessionsForm,
    ClientEnrolForm,
    CourseCancelForm,
    CourseEnrolForm,
    CourseForm,
    EnrolmentEndForm,
    OfferTermsForm,
    add_refusal,
)
from ..models import Enrolment, EnrolmentStatus, Offer
from ..services import courses, enrolments, offers

SEARCH_LIMIT = 20


def _status(request: HttpRequest) -> int:
    return 422 if request.method == "POST" else 200


# --- offers (CAT-1) -------------------------------------------------------------------


@staff_view()
def offer_detail(request: HttpRequest, offer_uuid: str) -> HttpResponse:
    """CAT-1: an offer's terms, its versions and its courses (dates, site, places; no
    client data, so every staff member may read it, like the catalogue)."""
    staff = staff_for_request(request)
    offer = selectors.offer_for(staff, offer_uuid)
    versions = list(
        Offer.objects.filter(organisation_id=offer.organisation_id, key=offer.key).order_by(
            "-version"
        )
    )
    current = next((v for v in versions if v.is_current), None)
    terms = offer.parsed
    names = selectors.offer_names(offer.organisation_id, terms.prerequisites)
    return render(
        request,
        "catalogue/offer_detail.html",
        {
            "offer": offer,
            "t": terms,
            "current": current,
            "versions": versions,
            "courses": selectors.courses_of_offer(offer),
            "can_edit": staff.can(Perm.ORG_SETTINGS, offer.organisation_id),
            "can_plan": staff.can(Perm.CLIENT_WRITE, offer.organisation_id),
            "prerequisites": [(key, names.get(key, key)) for key in terms.prerequisites],
        },
    )


@staff_view(Perm.ORG_SETTINGS)
def offer_edit(request: HttpRequest, offer_uuid: str) -> HttpResponse:
    """CAT-1: a manager changes an offer's main terms; saving makes a new version and
    everyone enrolled keeps the terms they were enrolled under."""
    staff = staff_for_request(request)
    offer = selectors.offer_for(staff, offer_uuid, perm=Perm.ORG_SETTINGS)
    choices = [
        (o.key, o.name)
        for o in Offer.objects.filter(organisation_id=offer.organisation_id, is_current=True)
        .exclude(key=offer.key)
        .order_by("name")
    ]
    form = OfferTermsForm(
        request.POST or None,
        initial=OfferTermsForm.initial_from(offer.parsed),
        prerequisite_choices=choices,
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = offers.offer_edit(offer=offer, actor=staff.user, changes=form.changes())
        except DomainError as exc:
            form.add_terms_error(exc)
        else:
            if saved.pk == offer.pk:
                messages.info(request, _("Nothing changed."))
            else:
                messages.success(
                    request,
                    _("Saved as version %(version)d. Enrolments keep the terms they have.")
                    % {"version": saved.version},
                )
            return redirect("catalogue:offer_detail", offer_uuid=saved.uuid)
    return render(
        request,
        "catalogue/offer_form.html",
        {"offer": offer, "form": form},
        status=_status(request),
    )


# --- courses (SCH-1) ------------------------------------------------------------------


@staff_view(Perm.CLIENT_WRITE)
def course_create(request: HttpRequest, offer_uuid: str) -> HttpResponse:
    """SCH-1: plan a course of a group offer; its sessions follow the offer's cadence
    around public holidays and the site's closed days. Courses are planned by the staff who
    run them (counsellors and others with client write access) and by managers."""
    staff = staff_for_request(request)
    offer = selectors.offer_for(staff, offer_uuid, perm=Perm.CLIENT_WRITE)
    organisation = offer.organisation
    form = CourseForm(
        request.POST or None,
        sites=organisation.sites.filter(is_active=True).order_by("kind", "name"),
        staff=selectors.staff_of(organisation),
        initial={"capacity": offer.parsed.capacity, "start_time": offer.parsed.cadence.start_time},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            course = courses.course_create(
                offer=offer,
                site=data["site"],
                actor=staff.user,
                starts_on=data["starts_on"],
                start_time=data["start_time"],
                room=data["room"],
                capacity=data["capacity"],
                staff=list(data["staff"]),
                on_closed_day=data["on_closed_day"],
                title=data["title"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("The course is planned with its sessions."))
            return redirect("catalogue:course_detail", course_uuid=course.uuid)
    return render(
        request,
        "catalogue/course_form.html",
        {"offer": offer, "t": offer.parsed, "form": form},
        status=_status(request),
    )


@staff_view(Perm.CLIENT_READ)
def course_detail(request: HttpRequest, course_uuid: str) -> HttpResponse:
    """SCH-1: the sessions (date, time, moved from a closed day) and the participants of a
    course, in a bounded number of queries; the participants shown are logged as seen."""
    staff = staff_for_request(request)
    course = selectors.course_for(staff, course_uuid)
    page = selectors.course_page(course, request=request, actor=staff.user)
    return render(
        request,
        "catalogue/course_detail.html",
        {
            "page": page,
            "course": course,
            "t": course.offer.parsed,
            "can_write": staff.can(Perm.CLIENT_WRITE, course.organisation_id),
        },
    )


@staff_view(Perm.CLIENT_WRITE)
def course_cancel(request: HttpRequest, course_uuid: str) -> HttpResponse:
    """SCH-1: call a course off: sessions to come are cancelled, participants ended."""
    staff = staff_for_request(request)
    course = selectors.course_for(staff, course_uuid, perm=Perm.CLIENT_WRITE)
    form = CourseCancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            courses.course_cancel(
                course=course, actor=staff.user, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("The course is cancelled."))
            return redirect("catalogue:course_detail", course_uuid=course.uuid)
    return render(
        request,
        "catalogue/course_cancel.html",
        {"course": course, "form": form},
        status=_status(request),
    )


@staff_view(Perm.CLIENT_WRITE)
def course_enrol(request: HttpRequest, course_uuid: str) -> HttpResponse:
    """SCH-1: find a client of the organisation by code or name and enrol them in the
    course. Search results are logged as seen (PRV-1); htmx gets the results only."""
    staff = staff_for_request(request)
    course = selectors.course_for(staff, course_uuid, perm=Perm.CLIENT_WRITE)
    terms = course.offer.parsed
    query = request.GET.get("q", "").strip()
    found: list[Any] = []
    search_error = None
    if query:
        try:
            matches = client_search(organisation_ids=[course.organisation_id], query=query)
        except DomainError as exc:  # digits of another script in the search
            search_error = exc.message
        else:
            found = list(matches.filter(archived_at__isnull=True)[:SEARCH_LIMIT])
        access_search_results(
            actor=staff.user,
            clients=found,
            view="course_enrol_search",
            channel="html",
            request=request,
        )
    context: dict[str, Any] = {
        "course": course,
        "t": terms,
        "query": query,
        "found": found,
        "search_error": search_error,
    }
    if request.htmx and request.method == "GET":  # type: ignore[attr-defined]
        return render(request, "catalogue/partials/_enrol_search.html", context)

    form = CourseEnrolForm(request.POST or None, initial={"client": request.GET.get("client")})
    form.keep_criteria_for(terms)
    chosen = None
    if request.method == "POST" and form.is_valid():
        try:
            client = client_for(
                request,
                staff,
                form.cleaned_data["client"],
                view="course_enrol",
                perm=Perm.CLIENT_WRITE,
            )
        except Http404:
            form.add_error(None, _("No such client."))
        else:
            chosen = client
            try:
                enrolments.enrol(
                    client=client,
                    actor=staff.user,
                    course=course,
                    starts_on=form.cleaned_data["starts_on"],
                    criteria=form.criteria(),
                    today=clock.today(client.organisation),
                )
            except DomainError as exc:
                add_refusal(form, exc)
            else:
                messages.success(
                    request,
                    _("%(name)s is enrolled in %(offer)s.")
                    % {"name": client.display_name, "offer": terms.name},
                )
                return redirect("catalogue:course_detail", course_uuid=course.uuid)
    context.update(form=form, chosen=chosen)
    return render(request, "catalogue/enrol_course.html", context, status=_status(request))


# --- enrolments -----------------------------------------------------------------------


def _chosen_offer(request: HttpRequest, offers: list[Offer]) -> Offer | None:
    """The offer the enrolment form is for: posted with the form, or ``?offer=`` in the
    address (a link from elsewhere, or the page opened again)."""
    data = request.POST if request.method == "POST" else request.GET
    value = data.get("offer", "")
    return next((o for o in offers if str(o.uuid) == value), None)


def _kept_answers(data: QueryDict) -> dict[str, Any]:
    """What was filled in before another offer was chosen, shown again (not the course: it
    belonged to the offer before)."""
    return {
        "offer": data.get("offer", ""),
        "starts_on": data.get("starts_on", ""),
        "residential_criteria": data.getlist("residential_criteria"),
        "anonymous_treatment_criteria": data.getlist("anonymous_treatment_criteria"),
    }


@staff_view(Perm.CLIENT_WRITE, scope="client")
def client_enrol(request: HttpRequest, client_uuid: str) -> HttpResponse:
    """SCH-1, CAT-6, CAT-7, DEC-5: enrol the client from their page in an offer (and a
    course of it for group offers), recording the checklists the offer asks for.

    The offer is chosen first, and the form then offers only that offer's open courses
    (filtered in the query; a course of another offer is refused with a message naming the
    offer). Choosing the offer posts the form with ``show`` and writes nothing: htmx swaps
    the form in place when the offer changes, and without JavaScript the "Show" button
    does the same with a page load. An offer with no course planned says so, with the way
    on (plan one) instead of an empty list."""
    staff = staff_for_request(request)
    client = client_for(request, staff, client_uuid, view="client_enrol", perm=Perm.CLIENT_WRITE)
    organisation = client.organisation
    offers = selectors.enrollable_offers(organisation)
    offer = _chosen_offer(request, offers)
    showing = request.method == "POST" and "show" in request.POST
    courses = selectors.open_courses(organisation, offer=offer) if offer is not None else []
    form = ClientEnrolForm(
        request.POST if request.method == "POST" and not showing else None,
        offers=offers,
        offer=offer,
        courses=courses,
        initial=_kept_answers(request.POST)
        if showing
        else {"offer": str(offer.uuid) if offer else ""},
    )
    if request.method == "POST" and not showing and form.is_valid():
        chosen, course = form.chosen_offer(), form.chosen_course()
        try:
            enrolment = enrolments.enrol(
                client=client,
                actor=staff.user,
                offer=chosen,
                course=course,
                starts_on=form.cleaned_data["starts_on"],
                criteria=form.criteria(),
                today=clock.today(organisation),
            )
        except DomainError as exc:
            add_refusal(form, exc)
        else:
            messages.success(request, _("Enrolled in %(offer)s.") % {"offer": enrolment.offer.name})
            return redirect("catalogue:enrolment_detail", enrolment_uuid=enrolment.uuid)
    context = client_context(
        request,
        client,
        "overview",
        form=form,
        offer=offer,
        can_plan=offer is not None and staff.can(Perm.CLIENT_WRITE, offer.organisation_id),
    )
    status = 422 if request.method == "POST" and not showing else 200
    if showing and request.htmx:  # type: ignore[attr-defined]
        return render(request, "catalogue/partials/_enrol_client_form.html", context)
    return render(request, "catalogue/enrol_client.html", context, status=status)


def _enrolment_page(
    request: HttpRequest, enrolment: Enrolment, template: str, status: int = 200, **extra: Any
) -> HttpResponse:
    terms = enrolment.offer.parsed
    return render(
        request,
        template,
        client_context(
            request,
            enrolment.client,
            "overview",
            enrolment=enrolment,
            t=terms,
            sessions=selectors.enrolment_sessions(enrolment),
            goals=selectors.enrolment_goals(enrolment) if terms.individual_goals else [],
            is_active=enrolment.status == EnrolmentStatus.ACTIVE,
            **extra,
        ),
        status=status,
    )


@staff_view(Perm.CLIENT_READ, scope="client")
def enrolment_detail(request: HttpRequest, enrolment_uuid: str) -> HttpResponse:
    """An enrolment: its terms (the version enrolled under), its sessions, and for staff who
    write the forms to book individual sessions and to end it."""
    staff = staff_for_request(request)
    enrolment = selectors.enrolment_for(request, staff, enrolment_uuid, view="enrolment_detail")
    return _enrolment_page(
        request,
        enrolment,
        "catalogue/enrolment_detail.html",
        book_form=BookSessionsForm(),
        end_form=EnrolmentEndForm(),
    )


@staff_view(Perm.CLIENT_WRITE, scope="client")
def enrolment_end(request: HttpRequest, enrolment_uuid: str) -> HttpResponse:
    """SCH-2: end an enrolment, completed or early with the reason."""
    staff = staff_for_request(request)
    enrolment = selectors.enrolment_for(
        request, staff, enrolment_uuid, view="enrolment_end", perm=Perm.CLIENT_WRITE
    )
    form = EnrolmentEndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            enrolments.enrolment_end(
                enrolment=enrolment,
                actor=staff.user,
                reason=data["reason"],
                completed=data["completed"],
                on=data["ended_on"],
                today=clock.today(enrolment.organisation),
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("The enrolment has ended."))
            return redirect("catalogue:enrolment_detail", enrolment_uuid=enrolment.uuid)
    return _enrolment_page(
        request, enrolment, "catalogue/enrolment_end.html", _status(request), end_form=form
    )


@staff_view(Perm.CLIENT_WRITE, scope="client")
def enrolment_book(request: HttpRequest, enrolment_uuid: str) -> HttpResponse:
    """SCH-1, CAT-3: book individual sessions, never beyond the offer's number of sessions."""
    staff = staff_for_request(request)
    enrolment = selectors.enrolment_for(
        request, staff, enrolment_uuid, view="enrolment_book", perm=Perm.CLIENT_WRITE
    )
    form = BookSessionsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            booked = enrolments.book_individual_sessions(
                enrolment=enrolment,
                actor=staff.user,
                start=data["start"],
                until=data["until"],
                times=data["times"],
                sessions=data["sessions"],
                dates=data["dates"],
                start_time=data["start_time"],
                today=clock.today(enrolment.organisation),
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("%(n)d sessions are booked.") % {"n": len(booked)})
            return redirect("catalogue:enrolment_detail", enrolment_uuid=enrolment.uuid)
    return _enrolment_page(
        request, enrolment, "catalogue/enrolment_book.html", _status(request), book_form=form
    )


urlpatterns = [
    path("offers/<uuid:offer_uuid>/", offer_detail, name="offer_detail"),
    path("offers/<uuid:offer_uuid>/edit/", offer_edit, name="offer_edit"),
    path("offers/<uuid:offer_uuid>/courses/new/", course_create, name="course_create"),
    path("courses/<uuid:course_uuid>/", course_detail, name="course_detail"),
    path("courses/<uuid:course_uuid>/cancel/", course_cancel, name="course_cancel"),
    path("courses/<uuid:course_uuid>/enrol/", course_enrol, name="course_enrol"),
    path("clients/<uuid:client_uuid>/enrol/", client_enrol, name="client_enrol"),
    path("enrolments/<uuid:enrolment_uuid>/", enrolment_detail, name="enrolment_detail"),
    path("enrolments/<uuid:enrolment_uuid>/end/", enrolment_end, name="enrolment_end"),
    path("enrolments/<uuid:enrolment_uuid>/sessions/", enrolment_book, name="enrolment_book"),
]
