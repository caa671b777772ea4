"""StreamField blocks for a story body: paragraphs, images with captions, quotes, embeds."""

from __future__ import annotations

from wagtail import blocks
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock

PARAGRAPH_FEATURES = ["bold", "italic", "link", "ol", "ul", "h2", "h3"]


class CaptionedImageBlock(blocks.StructBlock):
    """An image inside the body, with caption and credit."""

    image = ImageChooserBlock()
    alt_text = blocks.CharBlock(required=False, help_text="Describe the image for screen readers.")
    caption = blocks.CharBlock(required=False)
    credit = blocks.CharBlock(required=False)

    class Meta:
        icon = "image"
        template = "blocks/captioned_image.html"


class QuoteBlock(blocks.StructBlock):
    """A pull quote with its attribution."""

    text = blocks.TextBlock()
    attribution = blocks.CharBlock(required=False)

    class Meta:
        icon = "openquote"
        template = "blocks/quote.html"


class StoryBodyBlock(blocks.StreamBlock):
    """The body of a story. The first ``paragraph`` is the lead-in shown above a paywall."""

    paragraph = blocks.RichTextBlock(features=PARAGRAPH_FEATURES, template="blocks/paragraph.html")
    image = CaptionedImageBlock()
    quote = QuoteBlock()
    embed = EmbedBlock(help_text="A URL from a supported provider (YouTube, X, …).")
