"""The demo has referrals (one waiting for its reply, one accepted with an appointment), a
referral in and a GP letter as a real PDF (REF-1, JRN-3), and a second load adds none."""

from __future__ import annotations

from bedring.demo.demo_data import load_demo
from bedring.documents import storage
from bedring.documents.models import Document
from bedring.pathway.models import Deadline
from bedring.referrals.models import IncomingReferral, Referral


def test_the_demo_has_referrals_waiting_and_accepted_and_a_stored_letter(db):
    load_demo(clients_per_organisation=3)
    assert Referral.objects.filter(status="appointment").count() == 5
    waiting = Referral.objects.filter(status__in=["sent", "received"])
    assert waiting.count() == 5
    assert Deadline.objects.filter(kind="referral_reply", status="open").count() == 5
    # Sandnes: TSB at Helse Stavanger has received it; the rights assessment is due.
    tsb = waiting.get(partner__key="tsb-helse-stavanger")
    assert Deadline.objects.filter(kind="rights_assessment", subject_id=tsb.pk).exists()
    assert IncomingReferral.objects.count() == 5
    for document in Document.objects.all():
        assert storage.path_of(document.storage_name).read_bytes().startswith(b"%PDF-")
    load_demo(clients_per_organisation=3)
    assert Referral.objects.count() == 10
    assert Document.objects.count() == 5
