"""The public verification page, as a lawyer uses it: upload a delivery certificate's evidence PDF to
`/verify` and read, check by check, that it holds; one changed byte and the page says what fails; the
page in Catalan and Spanish by Accept-Language. Plain HTML forms, read here with Python's html.parser."""
import html.parser
import time
import urllib.error
import urllib.request
import uuid

import pytest

from certified import Certifier, export_records
import sink

pytestmark = pytest.mark.skipif(not sink.available(), reason="smtp-sink is installed by .ci/run")


class Page(html.parser.HTMLParser):
    """The verdict, the table's rows and the form's labelled input, as a reader (or a screen reader) gets them."""

    def __init__(self, text):
        super().__init__()
        self.verdict, self.rows, self.labels, self.inputs, self.lang = "", [], {}, {}, None
        self._in, self._row, self._label_for = None, None, None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        if attrs.get("id") == "verdict":
            self._in = "verdict"
        if tag == "tr":
            self._row = []
        if tag == "td" and self._row is not None:
            self._row.append("")
            self._in = "td"
        if tag == "label":
            self._label_for, self._in = attrs.get("for"), "label"
            self.labels[self._label_for] = ""
        if tag == "input":
            self.inputs[attrs.get("id")] = attrs

    def handle_endtag(self, tag):
        if tag == "tr" and self._row:
            self.rows.append(self._row)
            self._row = None
        if tag in ("p", "td", "label"):
            self._in = None

    def handle_data(self, data):
        if self._in == "verdict":
            self.verdict += data
        elif self._in == "td":
            self._row[-1] += data
        elif self._in == "label":
            self.labels[self._label_for] += data


def post_pdf(c, pdf: bytes, language="en"):
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"pdf\"; filename=\"evidence.pdf\"\r\n"
            f"Content-Type: application/pdf\r\n\r\n").encode() + pdf + f"\r\n--{boundary}--\r\n".encode()
    request = urllib.request.Request(f"http://127.0.0.1:{c.http}/verify", data=body, method="POST", headers={
        "Content-Type": f"multipart/form-data; boundary={boundary}", "Accept-Language": language})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.fixture
def certificate_pdf(fefaent_binary, tmp_path):
    c = Certifier(fefaent_binary, tmp_path).start()
    try:
        assert c.send_cc(["bob@example.test"])[0] == 250
        (notice, _) = c.wait(lambda: c.notices("deliveryCertificate"), "the delivery certificate", 60)[0]
        (part,) = [p for p in notice.iter_attachments() if p.get_content_type() == "application/pdf"]
        yield c, part.get_content()
    finally:
        assert c.stop() == 0, c.daemon.log_text()[-3000:]


def test_an_evidence_pdf_holds_and_a_changed_byte_is_found(certificate_pdf):
    c, pdf = certificate_pdf
    with urllib.request.urlopen(f"http://127.0.0.1:{c.http}/verify", timeout=10) as response:
        form = Page(response.read().decode())
    assert form.labels["pdf"] == "Evidence PDF, or an exported evidence folder as a .zip"
    assert form.inputs["pdf"]["type"] == "file"

    status, text = post_pdf(c, pdf)
    page = Page(text)
    assert status == 200 and page.verdict == "This evidence holds: every check passed.", text[-2000:]
    assert len(page.rows) >= 5 and all(row[1] == "holds" for row in page.rows)

    changed = bytearray(pdf)
    middle = len(changed) // 2
    changed[middle] = changed[middle] ^ 0x01
    status, text = post_pdf(c, bytes(changed))
    page = Page(text)
    assert status == 200 and page.verdict.startswith("This evidence does not hold:"), text[-2000:]
    failed = [row for row in page.rows if row[1] == "FAILS"]
    assert failed, page.rows

    status, text = post_pdf(c, b"not a pdf at all")
    assert status == 400 and "no evidence PDF or zipped evidence folder was sent" in text


def test_the_page_speaks_catalan_and_spanish(certificate_pdf):
    c, pdf = certificate_pdf
    status, text = post_pdf(c, pdf, language="ca-ES, ca;q=0.9, en;q=0.5")
    page = Page(text)
    assert page.lang == "ca" and page.verdict == "Aquesta evidència és vàlida: totes les comprovacions són correctes."
    status, text = post_pdf(c, pdf, language="fr, es;q=0.8, en;q=0.1")
    assert Page(text).lang == "es" and "Esta evidencia es válida" in Page(text).verdict


def test_an_evidence_id_of_this_server_is_looked_up_and_verified(certificate_pdf):
    c, _ = certificate_pdf
    (notice, _) = c.notices("deliveryCertificate")[0]
    evidence_id = notice["X-Fefaent-Certification"]

    def get(query):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{c.http}/verify?{query}", timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    status, text = get(f"id={evidence_id}&lang=es")
    page = Page(text)
    assert status == 200 and page.lang == "es" and "Esta evidencia es válida" in page.verdict, text[-2000:]
    assert page.labels["evidence-id"].startswith("O un identificador") and page.inputs["evidence-id"]["value"] == evidence_id
    assert any(evidence_id in row[0] or evidence_id in row[2] for row in page.rows), page.rows
    status, text = get("id=ENOSUCHRECORD00000000000000")
    assert status == 404 and "no evidence ENOSUCHRECORD00000000000000 in this log" in text
    status, _ = get("id=" + "x" * 200)
    assert status == 400


def test_a_zipped_evidence_folder_holds_and_a_changed_record_does_not(fefaent_binary, tmp_path):
    """An auditor zips `fefaent evidence export`'s folder and drops it on the page."""
    import io
    import zipfile
    from certified import queue_id_of
    c = Certifier(fefaent_binary, tmp_path).start()
    try:
        code, reply = c.send_cc(["bob@example.test"])
        assert code == 250
        c.wait(lambda: c.notices("deliveryCertificate"), "the delivery certificate", 60)
        folder = tmp_path / "export"
        export_records(c.daemon, queue_id_of(reply), folder)

        def zipped(change=None):
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
                for path in sorted(folder.rglob("*")):
                    if path.is_file():
                        data = path.read_bytes()
                        if change and path.suffix == ".json" and path.parent.name == "records" and "proof" not in path.name:
                            data, change = data.replace(b"bob@example.test", b"eve@example.test"), None
                        archive.writestr(f"evidence/{path.relative_to(folder)}", data)
            return buffer.getvalue()

        status, text = post_pdf(c, zipped())
        page = Page(text)
        assert status == 200 and page.verdict == "This evidence holds: every check passed.", text[-2000:]
        status, text = post_pdf(c, zipped(change=True))
        page = Page(text)
        assert status == 200 and page.verdict.startswith("This evidence does not hold:"), text[-2000:]
        status, text = post_pdf(c, b"PK\x03\x04 not really a zip")
        assert status == 400
    finally:
        assert c.stop() == 0, c.daemon.log_text()[-3000:]
