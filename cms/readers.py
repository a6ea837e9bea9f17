"""What a reader sees of a learning story's people.

Authors write for their affiliate, so naming them says they belong to it: for an
affiliate that hides its members, readers outside it see "a member of …" unless the
author chose to be named (affiliates/readers.py decides).
"""

from affiliates.readers import member_name


def story_author_names(reader, story) -> list[str]:
    return [
        member_name(reader, author, story.affiliate) for author in story.authors.all()
    ]
