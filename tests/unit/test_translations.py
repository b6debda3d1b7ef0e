import re
import string

from bot.i18n import _, merged_catalog, translations, use_language
from bot.i18n.missing import missing, used_messages


def test_every_message_the_bot_shows_has_a_chinese_translation() -> None:
    assert missing("zh-CN") == {}, "run: python -m bot.i18n.missing"


def test_translations_keep_the_placeholders_of_their_message() -> None:
    def fields(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    catalog = merged_catalog("zh-CN")
    wrong = {
        str(message.id): str(message.string)
        for message in catalog
        if message.id and fields(str(message.id)) != fields(str(message.string))
    }
    assert wrong == {}


def test_translations_keep_the_html_tags_of_their_message() -> None:
    def tags(text: str) -> list[str]:
        return sorted(re.findall(r"</?[a-z]+>", text))

    catalog = merged_catalog("zh-CN")
    wrong = {m.id: m.string for m in catalog if m.id and tags(str(m.id)) != tags(str(m.string))}
    assert wrong == {}


def test_a_message_is_served_in_the_language_of_the_user_being_served() -> None:
    with use_language("zh-CN"):
        assert _("Quantity must be greater than 0.") == "数量必须大于 0。"
    with use_language("en"):
        assert _("Quantity must be greater than 0.") == "Quantity must be greater than 0."


def test_the_checker_sees_messages_the_code_uses() -> None:
    assert "Quantity must be greater than 0." in used_messages()
    assert translations("en").gettext("anything") == "anything"
