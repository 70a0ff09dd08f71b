#!/usr/bin/python3
"""One topic per artist of hetrec2011-lastfm-2k, from its user tags, for conditional retrieval (--conditions FILE).

Usage: tools/lastfm_topics.py DIR OUT.tsv [TOPICS]
DIR holds user_taggedartists.dat and tags.dat (the dataset's own files; not in this repository: their terms allow
non-commercial use only, so they stay outside it). The topics are the TOPICS (default 40) genre tags used on the most
artists, after dropping tags that say nothing of the genre (decades, 'seen live', 'female vocalists', praise...).
An artist's topic is its vocabulary tag with the most assignments (ties to the tag on more artists); an artist
without a vocabulary tag gets none (not written). Output: item<TAB>condition, item = the artist id.
"""
import collections
import sys

NOT_GENRES = {
    'seen live', 'female vocalists', 'male vocalists', '80s', '90s', '00s', '70s', '60s', 'british', 'american',
    'beautiful', 'awesome', 'amazing', 'love', 'sexy', 'favorites', 'favourites', 'cover', 'mellow', 'instrumental',
    'singer-songwriter', 'soundtrack', 'acoustic', 'chillout', 'catchy', 'fun', 'german', 'japanese', 'swedish',
    'canadian', 'female vocalist', 'favorite', 'french', 'brazilian', 'polish', 'finnish', 'legend', 'classic', 'guitar', 'male vocalist', 'cool',
}


def main():
    wants_help = len(sys.argv) == 2 and sys.argv[1] in ('-h', '--help')
    if wants_help or len(sys.argv) not in (3, 4):
        print(__doc__.strip(), file=sys.stdout if wants_help else sys.stderr)
        sys.exit(0 if wants_help else 2)
    directory, out = sys.argv[1], sys.argv[2]
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 40
    names = {}
    with open(f'{directory}/tags.dat', encoding='latin-1') as f:
        next(f)
        for line in f:
            tag, name = line.rstrip('\n').split('\t')[:2]
            names[tag] = name.strip().lower()
    per_artist = collections.defaultdict(collections.Counter)
    with open(f'{directory}/user_taggedartists.dat', encoding='latin-1') as f:
        next(f)
        for line in f:
            _, artist, tag = line.rstrip('\n').split('\t')[:3]
            per_artist[artist][names[tag]] += 1
    artists_per_tag = collections.Counter()
    for tags in per_artist.values():
        artists_per_tag.update(tags.keys())
    vocabulary = [t for t, _ in artists_per_tag.most_common() if t not in NOT_GENRES][:count]
    rank = {t: r for r, t in enumerate(vocabulary)}
    written = 0
    with open(out, 'w', encoding='utf-8') as f:
        f.write('item\tcondition\n')
        for artist in sorted(per_artist, key=int):
            candidates = [(-n, rank[t], t) for t, n in per_artist[artist].items() if t in rank]
            if candidates:
                f.write(f'{artist}\t{min(candidates)[2]}\n')
                written += 1
    print(f'{written} artists with one of {len(vocabulary)} topics: {", ".join(vocabulary)}')


if __name__ == '__main__':
    main()
