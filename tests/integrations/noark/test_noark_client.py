"""The live Noark 5 client against the archive simulator: HATEOAS navigation, media types, OData, faults."""

from __future__ import annotations

import httpx
import pytest

from integrations.common.errors import PermanentError, TransientError
from integrations.noark.mapping import NOARK_JSON, REL_NY_SAKSMAPPE, REL_SAKARKIV, SKJERMING_OFFL_13
from tests.integrations.noark.conftest import make_noark_client

PDF = b"%PDF-1.7\n% arkiv\n"


def _mappe(client, key="k-1"):
    return client.saksmappe_create(
        {
            "tittel": "Barnehageplass – Ola Nordmann",
            "offentligTittel": "Barnehageplass – *****",
            "skjerming": SKJERMING_OFFL_13,
            "referanseEksternNoekkel": {"fagsystem": "OAS", "noekkel": key},
        }
    )


def _journalpost(client, mappe, key="jp-1", kind="I"):
    return client.journalpost_create(
        mappe,
        {
            "tittel": "Søknad – Ola Nordmann",
            "journalposttype": {"kode": kind, "kodenavn": "x"},
            "referanseEksternNoekkel": {"fagsystem": "OAS", "noekkel": key},
        },
    )


def _auth(token_client):
    return {"Authorization": f"Bearer {token_client.token(scopes=['noark5:arkiv'])}"}


def test_entry_point_links_by_relation_uri_with_the_noark_media_type(noark_sim, token_client):
    response = httpx.get(f"{noark_sim.url}/api", headers={**_auth(token_client), "Accept": NOARK_JSON})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == NOARK_JSON
    assert REL_SAKARKIV in response.json()["_links"]


def test_get_on_ny_saksmappe_returns_a_template_without_self(noark_sim, token_client):
    sakarkiv = httpx.get(f"{noark_sim.url}/api/sakarkiv/", headers={**_auth(token_client), "Accept": NOARK_JSON}).json()
    template = httpx.get(sakarkiv["_links"][REL_NY_SAKSMAPPE]["href"], headers=_auth(token_client)).json()
    assert template["saksstatus"]["kode"] == "B"
    assert "self" not in template["_links"]


def test_create_saksmappe_journalpost_document_and_file_by_following_links(noark_client, noark_sim):
    mappe = _mappe(noark_client)
    assert mappe.data["mappeID"] == f"{mappe.data['saksaar']}/1"
    journalpost = _journalpost(noark_client, mappe)
    assert journalpost.data["journalposttype"]["kode"] == "I"
    assert journalpost.data["journalpostnummer"] == 1
    beskrivelse = noark_client.dokumentbeskrivelse_create(
        journalpost, {"tittel": "Søknad", "tilknyttetRegistreringSom": {"kode": "H", "kodenavn": "Hoveddokument"}}
    )
    objekt = noark_client.dokumentobjekt_create(
        beskrivelse,
        {"versjonsnummer": 1, "variantformat": {"kode": "A"}, "mimeType": "application/pdf", "filnavn": "s.pdf"},
    )
    uploaded = noark_client.file_upload(objekt, content=PDF, mime_type="application/pdf")
    assert uploaded.data["filstoerrelse"] == len(PDF)
    assert noark_sim.files[objekt.system_id] == PDF
    assert noark_sim.saksmapper[mappe.system_id]["skjerming"]["tilgangsrestriksjon"]["kode"] == "13"


def test_odata_filter_finds_a_saksmappe_by_its_external_key(noark_client):
    mappe = _mappe(noark_client, key="child-7")
    _mappe(noark_client, key="child-8")
    found = noark_client.saksmappe_find(external_key="child-7")
    assert found is not None and found.system_id == mappe.system_id
    assert noark_client.saksmappe_find(external_key="it's unknown") is None


def test_second_create_with_the_same_external_key_is_a_409_conflict(noark_client, noark_sim):
    _mappe(noark_client, key="once")
    with pytest.raises(PermanentError) as caught:
        _mappe(noark_client, key="once")
    assert caught.value.status == 409
    assert len(noark_sim.saksmapper) == 1


def test_journalpost_with_an_unknown_journalposttype_is_refused(noark_client):
    mappe = _mappe(noark_client)
    with pytest.raises(PermanentError) as caught:
        _journalpost(noark_client, mappe, kind="Q")
    assert caught.value.status == 400


def test_post_with_plain_json_content_type_is_unsupported_media(noark_sim, token_client):
    response = httpx.post(
        f"{noark_sim.url}/api/sakarkiv/ny-saksmappe/", json={"tittel": "x"}, headers=_auth(token_client)
    )
    assert response.status_code == 415


def test_upload_that_is_not_a_pdf_is_refused(noark_client):
    journalpost = _journalpost(noark_client, _mappe(noark_client))
    beskrivelse = noark_client.dokumentbeskrivelse_create(
        journalpost, {"tittel": "x", "tilknyttetRegistreringSom": {"kode": "H"}}
    )
    objekt = noark_client.dokumentobjekt_create(
        beskrivelse,
        {"versjonsnummer": 1, "variantformat": {"kode": "A"}, "mimeType": "application/pdf", "filnavn": "x.pdf"},
    )
    with pytest.raises(PermanentError) as caught:
        noark_client.file_upload(objekt, content=b"hello", mime_type="application/pdf")
    assert caught.value.status == 400


def test_missing_title_is_refused(noark_client):
    with pytest.raises(PermanentError) as caught:
        noark_client.saksmappe_create({"referanseEksternNoekkel": {"fagsystem": "OAS", "noekkel": "t"}})
    assert caught.value.status == 400
    assert "tittel" in caught.value.message


@pytest.mark.parametrize(("mode", "match"), [("500", "serverfeil"), ("malformed", "ugyldig JSON"), ("429", "429")])
def test_faults_are_transient(noark_client, noark_sim, mode, match):
    noark_sim.fail(mode, retry_after="3")
    with pytest.raises(TransientError, match=match):
        noark_client.saksmappe_find(external_key="x")


def test_timeout_is_transient(noark_sim, token_client):
    client = make_noark_client(noark_sim, token_client, timeout=0.3)
    noark_sim.fail("timeout", delay=1.0)
    with pytest.raises(TransientError, match="tidsavbrudd"):
        client.saksmappe_find(external_key="x")
    client.close()


def test_expired_token_is_renewed_once_after_a_401(noark_client, noark_sim, maskinporten_sim):
    noark_client.saksmappe_find(external_key="warm")
    issued = maskinporten_sim.tokens_issued
    noark_sim.fail("401")
    assert noark_client.saksmappe_find(external_key="x") is None
    assert maskinporten_sim.tokens_issued == issued + 1
