"""Our export of alt-profanity-check's model gives the library's probabilities."""

import gzip
import json

import pytest

from masthead.moderation.guidelines.models import profanity_predict_prob
from masthead.moderation.guidelines.profanity import LinearProfanityModel
from masthead.moderation.training import export_profanity

SENTENCES = [
    "You are a stupid idiot and a disgusting liar.",
    "The council should publish the full budget before the vote.",
    "what the fuck is wrong with these people",
    "Modi ji has promised 5 crore for the new hospital in our district.",
    "",
    "!!!",
    "shit shit SHIT, the bus is late again",
]


def test_export_matches_library_probabilities():
    from profanity_check import predict_prob

    ours = profanity_predict_prob()(SENTENCES)
    theirs = predict_prob(SENTENCES)
    assert ours == pytest.approx([float(x) for x in theirs], abs=1e-9)
    assert ours[0] > 0.9 and ours[1] < 0.1


def test_shipped_file_matches_export_script():
    assert export_profanity.serialise(export_profanity.export()) == (
        export_profanity.OUT.read_bytes()
    )


def test_bad_file_refused():
    with pytest.raises(ValueError):
        LinearProfanityModel.from_bytes(gzip.compress(json.dumps({}).encode()))
