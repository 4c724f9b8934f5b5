#!/usr/bin/env python3
"""Deterministic benchmark dataset in masthead's NDJSON import format.

    python3 bench/generate.py OUT.ndjson [--articles N] [--seed S]

Writes, in the order `masthead import` expects (see src/transfer.rs):
200 authors, 500 tags, N published articles (default 10,000) and 2 related
links per article. Every article has one or two authors, 3 distinct tags and
a ~2 KB Markdown body built from a fixed word list; published_at is spread
evenly over the ~5 years before 2026-01-01, so pages sort deterministically.

The word SEARCH_WORD ("harbour") is not in the word list; it is put into the
body of every other article (even ids) and into every tenth title, so a search
for it matches half the dataset: the "common word" of the search workload.
Standard library only; the same arguments always give the same bytes.
"""

import argparse
import datetime as dt
import json
import random
import sys

AUTHORS = 200
TAGS = 500
TAGS_PER_ARTICLE = 3
LINKS_PER_ARTICLE = 2
BODY_BYTES = 2048
SEARCH_WORD = "harbour"

WORDS = """
the of and to in is was for on that with as by at from it an be this which or
are were has have had not but all new more one two year city council water
river bridge market school report people government minister police court
station train road street village farm weather storm rain summer winter
spring autumn energy power price budget plan project study research data
science health hospital doctor patient museum library theatre music film
festival book writer story history archive island coast mountain valley
forest garden park field team match season coach player goal league cup
election vote party campaign policy law judge trial company worker factory
union strike wage job office shop business trade export import bank loan
tax fund grant housing rent tenant landlord building tower street square
church castle wall gate port ship boat ferry flight airport tourist hotel
restaurant kitchen bread coffee wine cheese fish harvest crop seed soil
climate carbon heat flood drought fire smoke air quality noise traffic
cycle bus tram metro ticket fare commuter morning evening night week month
decade century local regional national global public private community
family child parent student teacher lesson exam degree campus youth elder
""".split()

FIRST = """Ada Bea Carl Dara Emil Fay Gus Hana Ivo Jana Kofi Lena Milo Nia Oskar
Pia Quinn Rosa Sami Tove Uma Vito Wren Xena Yuri Zoe""".split()
LAST = """Okafor Lindqvist Moreau Tanaka Novak Silva Kowalski Haddad Berg Costa
Ivanova Murphy Schmidt Rossi Nakamura Dubois""".split()


def ts(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def sentence(rng, extra=None):
    n = rng.randint(8, 16)
    words = [rng.choice(WORDS) for _ in range(n)]
    if extra:
        words[rng.randrange(n)] = extra
    text = " ".join(words)
    return text[0].upper() + text[1:] + "."


def body(rng, with_search_word):
    parts = []
    size = 0
    heading = 0
    while size < BODY_BYTES:
        if size == 0 or rng.random() < 0.2:
            heading += 1
            line = "## " + " ".join(rng.choice(WORDS) for _ in range(3)).capitalize()
        elif rng.random() < 0.15:
            line = "\n".join("- " + sentence(rng) for _ in range(3))
        else:
            extra = None
            if with_search_word and heading == 1 and not any(SEARCH_WORD in p for p in parts):
                extra = SEARCH_WORD
            line = " ".join(sentence(rng, extra) for _ in range(rng.randint(3, 5)))
            if rng.random() < 0.3:
                line = line.replace(".", " *today*.", 1)
        parts.append(line)
        size += len(line) + 2
    text = "\n\n".join(parts)
    if with_search_word and SEARCH_WORD not in text:
        text += "\n\nSeen from the " + SEARCH_WORD + "."
    return text + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", help="output path ('-' for stdout)")
    ap.add_argument("--articles", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=20260101)
    args = ap.parse_args()
    if args.articles < LINKS_PER_ARTICLE + 1:
        ap.error("--articles must be at least 3")

    rng = random.Random(args.seed)
    out = sys.stdout if args.out == "-" else open(args.out, "w", encoding="utf-8")
    w = out.write
    dump = lambda obj: w(json.dumps(obj, separators=(",", ":"), ensure_ascii=False) + "\n")

    epoch = dt.datetime(2020, 1, 1)
    for i in range(1, AUTHORS + 1):
        name = f"{FIRST[i % len(FIRST)]} {LAST[(i * 7) % len(LAST)]} {i}"
        created = epoch + dt.timedelta(hours=i)
        dump({
            "type": "author", "id": i, "slug": f"author-{i}", "name": name,
            "bio": f"Reporter number {i}.", "avatar_url": None, "website": None,
            "email": None, "social": {}, "created_at": ts(created), "updated_at": ts(created),
        })
    for i in range(1, TAGS + 1):
        created = epoch + dt.timedelta(hours=i)
        dump({
            "type": "tag", "id": i, "slug": f"tag-{i}", "name": f"Tag {i}",
            "description": None, "created_at": ts(created), "updated_at": ts(created),
        })

    n = args.articles
    start = dt.datetime(2021, 1, 1)
    span = (dt.datetime(2026, 1, 1) - start).total_seconds()
    step = span / n
    for i in range(1, n + 1):
        published = start + dt.timedelta(seconds=int((i - 1) * step) + rng.randrange(max(1, int(step // 2))))
        title_words = [rng.choice(WORDS) for _ in range(rng.randint(4, 8))]
        if i % 10 == 0:
            title_words[0] = SEARCH_WORD
        title = " ".join(title_words).capitalize()
        authors = [rng.randint(1, AUTHORS)]
        if rng.random() < 0.2:
            second = rng.randint(1, AUTHORS)
            if second != authors[0]:
                authors.append(second)
        dump({
            "type": "article", "id": i, "slug": f"article-{i}-" + "-".join(title_words[:3]),
            "title": title, "subtitle": sentence(rng), "body": body(rng, i % 2 == 0),
            "custom_excerpt": None, "feature_image": None, "status": "published",
            "published_at": ts(published), "created_at": ts(published),
            "updated_at": ts(published), "author_ids": authors,
            "tag_ids": rng.sample(range(1, TAGS + 1), TAGS_PER_ARTICLE),
        })
    kinds = ["also_read", "read_next", "recommended"]
    labels = {"also_read": "Also read", "read_next": "Read next",
              "recommended": "You might also be interested"}
    for i in range(1, n + 1):
        targets = []
        while len(targets) < LINKS_PER_ARTICLE:
            t = rng.randint(1, n)
            if t != i and t not in targets:
                targets.append(t)
        for pos, t in enumerate(targets, 1):
            kind = kinds[(i + pos) % len(kinds)]
            dump({"type": "link", "article_id": i, "target_id": t, "kind": kind,
                  "label": labels[kind], "position": pos})
    if out is not sys.stdout:
        out.close()


if __name__ == "__main__":
    main()
