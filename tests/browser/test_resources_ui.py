"""Every resource's pages in a real browser, as a user goes through them.

One suite, run for each resource the served app registers (tests/sample_app.py:
the app's own and the tests' Tasks), driven by the resource's description, the
same one the front end builds its pages from: a resource gets these tests
without writing any.
"""

import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from tests.sample_app import RESOURCES

from .helpers import api, create_items, field_control, fill_form, log_in, register, settled

pytestmark = pytest.mark.browser

DESCRIPTIONS = [resource.describe() for resource in RESOURCES]
XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture(params=DESCRIPTIONS, ids=[d["name"] for d in DESCRIPTIONS])
def resource(request):
    return request.param


# What the pages call things: "widgets", "widget", as the front end writes them.
def noun(label):
    return label if re.match(r"^.[A-Z]", label) else label[:1].lower() + label[1:]


def title_field(resource):
    return next(f for f in resource["fields"] if f["name"] == resource["title_field"])


def valid_values(resource, number=1):
    """A valid value for each field, different for each ``number``, none the default."""
    values = {}
    for field in resource["fields"]:
        if field["widget"] == "checkbox":
            values[field["name"]] = not field["default"]
        elif field["widget"] == "number":
            low = field["minimum"] if field["minimum"] is not None else 0
            high = field["maximum"] if field["maximum"] is not None else low + number
            values[field["name"]] = min(low + number, high)
        else:
            values[field["name"]] = f"{field['label']} {number}"[: field["max_length"]]
    return values


def invalid_value(resource):
    """A field and a value the server refuses: a required one left blank, or a
    number out of range; None when the form cannot be made invalid."""
    for field in resource["fields"]:
        if field["required"] and field["widget"] in ("line", "textarea"):
            return field, "   "
    for field in resource["fields"]:
        if field["widget"] == "number" and field["maximum"] is not None:
            return field, field["maximum"] + 1
    return None, None


def shown(field, value):
    """A field's value as the detail page reads it out."""
    if field["widget"] == "checkbox":
        return "Yes" if value else "No"
    return str(value)


def expect_item_page(page, resource, values):
    """The item's page, showing ``values``."""
    expect(page).to_have_url(re.compile(rf"/{resource['name']}/[0-9a-f]{{24}}$"))
    title = values[resource["title_field"]]
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    for field in resource["fields"]:
        if field["name"] != resource["title_field"]:
            term = page.locator(".resource-fields dt", has_text=field["label"])
            expect(term.locator("+ dd")).to_have_text(shown(field, values[field["name"]]))


def items(page):
    return page.locator(".resource-item .resource-title")


def counts(first, last, total):
    """The pager's summary, "1 to 20 of 25" with an en dash."""
    return f"{first}\N{EN DASH}{last} of {total}"


def expect_login_page_for(page, path):
    """The login page, which goes back to ``path`` after logging in."""
    expect(page).to_have_url(re.compile(r"/login\?"))
    assert parse_qs(urlsplit(page.url).query)["next"] == [path]


def test_the_header_links_to_every_resource_the_server_describes(page):
    bootstrap = json.loads(page.locator("#bootstrap").text_content())
    assert bootstrap["resources"] == DESCRIPTIONS
    sections = page.get_by_role("navigation", name="Sections").get_by_role("link")
    expect(sections).to_have_text([d["label"] for d in DESCRIPTIONS])
    # "/" is the first resource's list.
    expect(sections.first).to_have_attribute("aria-current", "page")


def test_register_log_out_and_log_in_again(new_page, email):
    page = new_page()
    register(page, email)
    expect(page.get_by_text(email)).to_be_visible()

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()

    first = DESCRIPTIONS[0]
    page.goto(f"/{first['name']}")
    expect_login_page_for(page, f"/{first['name']}")
    log_in(page, email)
    expect(page).to_have_url(re.compile(rf"/{first['name']}$"))
    expect(page.get_by_role("heading", name=first["label"])).to_be_visible()


def test_an_empty_list_says_so(page, resource):
    page.goto(f"/{resource['name']}/new")
    page.get_by_role("navigation", name="Sections").get_by_role(
        "link", name=resource["label"], exact=True
    ).click()
    expect(page).to_have_url(re.compile(rf"/{resource['name']}$"))
    heading = page.get_by_role("heading", name=resource["label"], exact=True)
    expect(heading).to_be_focused()
    expect(page.get_by_text(f"You have no {noun(resource['label'])} yet.")).to_be_visible()
    link = page.get_by_role("link", name=resource["label"], exact=True)
    expect(link).to_have_attribute("aria-current", "page")


def test_create_shows_the_field_error_until_the_value_is_valid(page, resource):
    page.goto(f"/{resource['name']}")
    page.get_by_role("link", name=f"Create your first {noun(resource['item_label'])}").click()
    expect(page).to_have_url(re.compile(rf"/{resource['name']}/new$"))
    first = field_control(page, resource, resource["fields"][0])
    expect(first).to_be_focused()
    create = page.get_by_role("button", name=f"Create {noun(resource['item_label'])}")

    values = valid_values(resource)
    field, wrong = invalid_value(resource)
    if field is not None:
        fill_form(page, resource, {**values, field["name"]: wrong})
        create.click()
        control = field_control(page, resource, field)
        error = page.locator(f"#{resource['name']}-{field['name']}-error")
        expect(error).to_have_text(re.compile(r"\S"))
        expect(control).to_have_attribute("aria-invalid", "true")
        expect(control).to_be_focused()

    fill_form(page, resource, values)
    create.click()
    expect_item_page(page, resource, values)

    page.get_by_role("link", name=f"All {noun(resource['label'])}").click()
    expect(items(page)).to_have_text([values[resource["title_field"]]])


def test_edit_has_its_own_url_that_survives_a_reload(page, resource):
    (item,) = create_items(page, resource, valid_values(resource, 1))
    path = f"/{resource['name']}/{item['_id']}"
    page.goto(path)
    page.get_by_role("link", name="Edit").click()
    expect(page).to_have_url(re.compile(rf"{path}/edit$"))

    page.reload()
    changed = valid_values(resource, 2)
    title = field_control(page, resource, title_field(resource))
    expect(title).to_have_value(item[resource["title_field"]])
    expect(title).to_be_focused()
    fill_form(page, resource, changed)
    page.get_by_role("button", name="Save changes").click()
    expect_item_page(page, resource, changed)
    expect(page.get_by_role("heading", level=1)).to_be_focused()

    # Cancel goes back to the item, unchanged, with the focus on Edit again.
    page.get_by_role("link", name="Edit").click()
    fill_form(page, resource, valid_values(resource, 3))
    page.get_by_role("button", name="Cancel").click()
    expect_item_page(page, resource, changed)
    expect(page.get_by_role("link", name="Edit")).to_be_focused()
    page.go_back()
    expect(page).to_have_url(re.compile(rf"{path}/edit$"))
    expect(title).to_have_value(changed[resource["title_field"]])


def test_a_conflicting_save_offers_the_current_version(page, resource):
    (item,) = create_items(page, resource, valid_values(resource, 1))
    url = f"{resource['url']}/{item['_id']}"
    page.goto(f"/{resource['name']}/{item['_id']}/edit")
    title = field_control(page, resource, title_field(resource))
    expect(title).to_have_value(item[resource["title_field"]])

    theirs = f"{item[resource['title_field']]}, theirs"
    api(page, "PATCH", url, {resource["title_field"]: theirs})
    title.fill("Mine")
    page.get_by_role("button", name="Save changes").click()
    alert = page.get_by_role("alert").filter(has_text="Someone else changed this")
    expect(alert).to_contain_text(f"Someone else changed this {noun(resource['item_label'])}")
    load = page.get_by_role("button", name="Load the current version")
    expect(load).to_be_focused()

    load.click()
    expect(title).to_have_value(theirs)
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(theirs)
    assert api(page, "GET", url)["version"] == 3


def test_delete_asks_in_a_dialog_that_cancels_safely_and_can_be_undone(page, resource):
    (item,) = create_items(page, resource, valid_values(resource))
    page.goto(f"/{resource['name']}/{item['_id']}")
    title = item[resource["title_field"]]
    item_noun = noun(resource["item_label"])
    delete = page.get_by_role("button", name="Delete", exact=True)
    dialog = page.get_by_role("dialog", name=f"Delete this {item_noun}?")

    # Cancel has the focus: Enter pressed by habit deletes nothing.
    delete.click()
    expect(dialog).to_contain_text(f"“{title}” will be deleted.")
    cancel = dialog.get_by_role("button", name="Cancel")
    expect(cancel).to_be_focused()
    page.keyboard.press("Enter")
    expect(dialog).to_have_count(0)
    expect(delete).to_be_focused()
    # Escape cancels too, and the focus stays in the dialog (the page is inert).
    delete.click()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(cancel).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    assert api(page, "GET", f"{resource['url']}/{item['_id']}")["_id"] == item["_id"]

    delete.click()
    dialog.get_by_role("button", name=f"Delete {item_noun}").click()
    expect(page.get_by_text(f"You have no {noun(resource['label'])} yet.")).to_be_visible()
    expect(page).to_have_url(re.compile(rf"/{resource['name']}$"))
    toast = page.get_by_role("status").and_(page.locator(".toast-region"))
    expect(toast).to_contain_text(f"Deleted “{title}”.")

    # Undo creates it again, with the same fields (and a new _id).
    toast.get_by_role("button", name="Undo").click()
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    expect(toast).to_contain_text(f"Restored “{title}”.")
    restored = api(page, "GET", resource["url"])["items"]
    assert [{k: v for k, v in i.items() if k in valid_values(resource)} for i in restored] == [
        {k: v for k, v in item.items() if k in valid_values(resource)}
    ]


def test_a_missing_item_says_so(page, resource):
    page.goto(f"/{resource['name']}/{'0' * 24}/edit")
    expect(page.get_by_role("heading", name=f"{resource['item_label']} not found")).to_be_visible()


def test_page_search_and_sort_are_kept_in_the_url(page, resource):
    size, title, search = resource["page_size"], resource["title_field"], resource["search"]
    # "Item 01" to "Item 25" (with 20 a page), in the title and the searched field.
    names = [f"Item {n:02}" for n in range(1, size + 6)]
    named = {title, search["field"]} if search else {title}
    base = valid_values(resource)
    create_items(page, resource, *({**base, **dict.fromkeys(named, name)} for name in names))
    page.goto(f"/{resource['name']}")
    expect(page.get_by_text(counts(1, size, size + 5))).to_be_visible()
    expect(items(page).first).to_have_text(names[-1])

    page.get_by_role("link", name="Next").click()
    expect(page).to_have_url(re.compile(rf"/{resource['name']}\?page=2$"))
    expect(page.get_by_text(counts(size + 1, size + 5, size + 5))).to_be_visible()
    expect(items(page)).to_have_count(5)
    page.go_back()
    expect(page.get_by_text(counts(1, size, size + 5))).to_be_visible()

    sort = page.get_by_label("Sort")
    by_title = next((s for s in resource["sorts"] if s["value"] == title), None)
    if by_title:
        sort.select_option(label=by_title["label"])
        expect(page).to_have_url(re.compile(rf"sort={title}"))
        expect(items(page).first).to_have_text(names[0])
        expect(sort).to_be_focused()

    if search:
        box = page.get_by_label(search["label"])
        box.fill("item 1")
        box.press("Enter")
        expect(page).to_have_url(re.compile(r"q=item(\+|%20)1"))
        matching = [name for name in names if "item 1" in name.lower()]
        expect(items(page)).to_have_count(min(len(matching), size))
        expect(box).to_be_focused()
        page.reload()
        expect(box).to_have_value("item 1")
        expect(sort).to_have_value(by_title["value"] if by_title else resource["default_sort"])

        box.fill("nothing like it")
        page.get_by_role("button", name="Search").click()
        label = noun(resource["label"])
        expect(page.get_by_text(f"No {label} match “nothing like it”.")).to_be_visible()


def test_an_expired_session_goes_to_login_and_back(page, email, resource):
    size = resource["page_size"]
    create_items(page, resource, *(valid_values(resource, n) for n in range(size + 1)))
    page.goto(f"/{resource['name']}")
    next_page = page.get_by_role("link", name="Next")
    settled(page).context.clear_cookies()
    next_page.click()
    expect_login_page_for(page, f"/{resource['name']}?page=2")
    log_in(page, email)
    expect(page.get_by_text(counts(size + 1, size + 1, size + 1))).to_be_visible()


def test_user_content_is_shown_as_text(page, resource):
    text_values = {
        f["name"]: XSS for f in resource["fields"] if f["widget"] in ("line", "textarea")
    }
    (item,) = create_items(page, resource, {**valid_values(resource), **text_values})
    alerts = []
    page.on("dialog", lambda dialog: (alerts.append(dialog.message), dialog.dismiss()))
    page.goto(f"/{resource['name']}")
    expect(items(page)).to_have_text([item[resource["title_field"]]])
    page.goto(f"/{resource['name']}/{item['_id']}")
    expect(page.get_by_role("heading", name=item[resource["title_field"]])).to_be_visible()
    page.get_by_role("link", name="Edit").click()
    expect(field_control(page, resource, title_field(resource))).to_have_value(
        item[resource["title_field"]]
    )
    expect(page.locator("img")).to_have_count(0)
    assert alerts == []
