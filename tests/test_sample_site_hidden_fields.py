"""The sample site's example of values from the host page: its pricing page
passes the plan, and the demo form it embeds declares it."""

from urllib.parse import urlencode

from bs4 import BeautifulSoup

from capture.demo.seed import DEMO_FORMS
from sample_site import create_app, read_snippet

LEADGATE = "http://127.0.0.1:5000"


def page(path: str) -> BeautifulSoup:
    answer = create_app(LEADGATE).test_client().get(path)
    assert answer.status_code == 200
    return BeautifulSoup(answer.get_data(as_text=True), "html.parser")


def declared(slug: str) -> list[str]:
    (spec,) = [spec for spec in DEMO_FORMS if spec["slug"] == slug]
    return [field["name"] for field in spec.get("hidden_fields", [])]


def test_the_pricing_page_passes_a_plan_the_demo_form_declares_both_ways():
    pricing = page("/pricing")

    script = pricing.select_one(f"script[src='{LEADGATE}/embed.js'][data-form]")
    assert script["data-field-plan"] == "pro" and "plan" in declared(script["data-form"])
    assert pricing.select_one("a[href='/contact?plan=starter']")
    assert page("/contact").select_one("script[data-form]")["data-form"] == "demo-contact"


def test_a_pasted_snippets_values_are_kept_and_rendered_again():
    pasted = (
        f'<script src="{LEADGATE}/embed.js" data-form="demo-contact" data-field-plan="pro"'
        ' data-field-Bad-Name="x" data-field-campaign_id="q3" async></script>'
    )

    assert read_snippet(pasted) == {
        "src": f"{LEADGATE}/embed.js",
        "data-form": "demo-contact",
        "data-field-plan": "pro",
        "data-field-campaign_id": "q3",
    }
    (script,) = page("/try?" + urlencode({"snippet": pasted})).select("script")
    assert (script["data-field-plan"], script["data-field-campaign_id"]) == ("pro", "q3")
    assert "data-field-bad-name" not in script.attrs
