"""``mapdesk sample-data``: write the synthetic sample data set."""

from __future__ import annotations

import argparse

from mapdesk.domain.sample_data import DEFAULT_SEED, generate


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "sample-data",
        help="write the synthetic sample data set (trees, incidents, cameras, beats, metro)",
        description="Generate the synthetic sample data of Julun police station's area "
        "(Taiyuan): invented records, deterministic for a seed.",
    )
    p.add_argument("--out", required=True, metavar="DIR", help="folder to write into (created if missing)")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, metavar="N",
                   help=f"random seed; the same seed gives identical files (default {DEFAULT_SEED})")
    p.add_argument("--overwrite", action="store_true", help="replace files that already exist")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from mapdesk.model.sample_project import write_sample_project

    paths = generate(args.out, seed=args.seed, overwrite=args.overwrite)
    paths["project"] = write_sample_project(args.out)
    for key, path in paths.items():
        print(f"{key:<11} {path}")
    return 0
