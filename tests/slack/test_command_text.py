"""``/sop`` reads its text as the person typed it. Slack sends a slash command's text in its
own encoding (``&``, ``<`` and ``>`` as ``&amp;``, ``&lt;`` and ``&gt;``) even with the
manifest's ``should_escape: false``, which only keeps names from becoming IDs, so a run
got 'box &amp; tape' where the person wrote 'box & tape'."""

from __future__ import annotations

from tests.slack.surface import Surface


def test_a_run_s_inputs_are_what_the_person_typed(surface: Surface) -> None:
    surface.sender.command(
        'run refund order_id=1042 reason="box &amp; tape torn, 3 &lt; 5 &gt; 2"', user="U02DEV"
    )
    surface.work()

    (run,) = surface.runs()
    assert run.inputs["reason"] == "box & tape torn, 3 < 5 > 2"


def test_a_request_quoted_back_pings_nobody_it_names(surface: Surface) -> None:
    """Typed as mention markup (sent as '&lt;@U03SAM&gt;'), a person is quoted as text."""
    surface.sender.command("&lt;@U03SAM&gt; &amp; me: where is the wifi password", user="U02DEV")
    surface.work()

    said = " ".join(str(whisper.get("text")) for whisper in surface.slack.ephemeral)
    # as sopbot sends it: escaped once, which Slack shows as '@U03SAM & me: …'
    assert "'@U03SAM &amp; me: where is the wifi password'" in said
    assert "<@U03SAM" not in said
