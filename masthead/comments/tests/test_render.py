"""render_comment_body: escaped plain text, paragraphs, links with rel="nofollow ugc noopener"."""

from __future__ import annotations

from masthead.comments.templatetags.comment_tags import render_comment_body


def test_paragraphs_and_line_breaks():
    html = str(render_comment_body("First para.\nSame para.\n\nSecond para."))
    assert html == "<p>First para.<br>Same para.</p><p>Second para.</p>"


def test_urls_are_linked_with_ugc_rel():
    html = str(render_comment_body("See https://example.org/report?a=1&b=2 and www.example.com."))
    assert '<a href="https://example.org/report?a=1&amp;b=2" rel="nofollow ugc noopener">' in html
    assert (
        '<a href="http://www.example.com" rel="nofollow ugc noopener">www.example.com</a>' in html
    )


def test_javascript_and_data_urls_are_never_links():
    html = str(
        render_comment_body(
            'javascript:alert(1) <a href="javascript:alert(1)">x</a> data:text/html,hi'
        )
    )
    assert "<a" not in html
    assert "&lt;a href=" in html


def test_markup_is_escaped_not_interpreted():
    html = str(render_comment_body('<b onmouseover="x()">hi</b> & "quotes"'))
    assert "<b" not in html and "&lt;b onmouseover=" in html and "&amp;" in html


def test_email_is_not_a_mailto_link():
    html = str(render_comment_body("mail me at someone@example.com"))
    assert "mailto:" not in html
