"""Command line: ``python -m analysis {model,units,stance,report,corpus,sample,agreement,notebooks} ...``."""
from __future__ import annotations

import argparse
import sys
import warnings


def _model(args):
    from analysis.stance.classifier import load_model
    from analysis.stance.encoder import bundled_model_dir, load_encoder

    print(load_encoder(args.model) if args.model else bundled_model_dir())
    print(load_model(args.model))


def _units(args):
    from analysis.io.pages import load_page
    from analysis.resources import check_output_file, write_table
    from analysis.text.units import units

    check_output_file(args.out, inputs=[args.page])  # before any work
    df = units(load_page(args.page, encoding=args.encoding))
    print(f"{write_table(df, args.out)}: {len(df)} units "
          f"({(df.part == 'article').sum()} article, {(df.part == 'comment').sum()} comment)")


def _stance(args):
    from analysis.stance.classifier import stance_csv

    stance_csv(args.input, args.output, targets=args.targets, model=args.model, register=args.register)


def _report(args):
    from analysis.pipeline.report import write_report

    out = write_report(args.page, args.out, model=args.model, encoding=args.encoding, html=args.html)
    print(f"report written to {out}" + (f" (open {out / 'report.html'})" if args.html else ""))


def _corpus(args):
    from analysis.pipeline.batch import failures, run

    summary = run(args.input, args.out, model=args.model, targets=args.targets,
                  workers=args.workers, scheduler=args.scheduler)
    print(f"{summary['articles']} articles, {summary['units']} units -> {args.out}/summary.json")
    err = failures(summary, args.out)  # some articles failed: exit 2 naming the first
    if err is not None:
        raise err


def _sample(args):
    from analysis.pipeline.sampling import write_sample

    by = [b.strip() for b in args.by.split(",")] if args.by is not None else None
    s = write_sample(args.input, args.out, n=args.n, by=by, seed=args.seed, measure=args.measure, model=args.model,
                     force=args.force)
    print(f"{s['items']} of {s['population']} items in {len(s['strata'])} strata ({','.join(s['by']) or 'none'}) -> "
          f"{args.out}/to_code.csv (coders), key.csv (model, keep apart), tasks.json + labelstudio.xml (Label Studio)")


def _agreement(args):
    from analysis.validation.agreement import write_agreement

    s = write_agreement(args.coders, args.out, model=args.model, measure=args.measure, n_boot=args.n_boot,
                        seed=args.seed, allow_missing=args.allow_missing)
    overall = s["alpha"][0]
    a = "undefined" if overall["alpha"] is None else f"{overall['alpha']:.3f}"
    print(f"{len(s['coders'])} coders, {s['items']} items, alpha {a}; {s['ties']} ties to adjudicate -> "
          f"{args.out}/agreement.md")


def _notebooks(args):
    from analysis.pipeline.notebooks import run_all

    if args.page:  # a bad page is a one-line error here, not a failed notebook cell
        import warnings

        from analysis.io.pages import load_page

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            load_page(args.page)
    for path in run_all(page=args.page, model=args.model):
        print(f"executed {path}")


class _Parser(argparse.ArgumentParser):
    """Usage errors in one line, like every other error (exit status 2)."""

    def error(self, message):
        self.exit(2, f"error: {self.prog}: {message} (see {self.prog} --help)\n")


def main(argv=None) -> int:
    parser = _Parser(prog="python -m analysis", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("model", help="convert the bundled multilingual-e5-small and fine-tune the stance model (once, cached), or check a model loads")
    p.add_argument("--model", help="hub id or local path to check instead")
    p.set_defaults(func=_model)

    p = sub.add_parser("units", help="parse a page and write its units table")
    p.add_argument("page")
    p.add_argument("--out", required=True)
    p.add_argument("--encoding", help="the page's encoding (default: UTF-8; HTML: its <meta charset>)")
    p.set_defaults(func=_units)

    p = sub.add_parser("stance", help="stance of each text toward each target (CSV in, CSV out)")
    p.add_argument("--input", required=True, help="UTF-8 CSV with columns id,text")
    p.add_argument("--output", required=True)
    p.add_argument("--targets", help="comma-separated target names (default: all in targets.yaml)")
    p.add_argument("--model", help="hub id or local path (default: bundled multilingual-e5-small)")
    p.add_argument("--register", choices=["news", "editorial", "forum", "comment"],
                   help="what kind of text the inputs are, for the calibration of 'none' (default: a "
                        "calibration chosen over all four); a 'register' column in the input overrides it per row")
    p.set_defaults(func=_stance)

    p = sub.add_parser("report", help="every measure for one page (raw dump or JSON)")
    p.add_argument("page")
    p.add_argument("--out", required=True)
    p.add_argument("--model")
    p.add_argument("--encoding", help="the page's encoding (default: UTF-8; HTML: its <meta charset>)")
    p.add_argument("--html", action="store_true", help="also write DIR/report.html, self-contained and offline")
    p.set_defaults(func=_report)

    p = sub.add_parser("corpus", help="every measure for a folder or table of articles (resumable, Dask)")
    p.add_argument("input", help="folder of .txt/.json/.html articles, or a .csv/.parquet table")
    p.add_argument("--out", required=True)
    p.add_argument("--targets")
    p.add_argument("--model")
    p.add_argument("--workers", type=int, default=1, help="> 1: a local Dask cluster of that many processes")
    p.add_argument("--scheduler", help="address of an existing dask.distributed scheduler")
    p.set_defaults(func=_corpus)

    p = sub.add_parser("sample", help="a stratified, seeded sample for human coding (coder sheet, key, Label Studio import)")
    p.add_argument("input", help="a report folder, a corpus-run folder, or a page (analysed first)")
    p.add_argument("--out", required=True)
    p.add_argument("--n", type=int, default=200, help="number of items (default 200)")
    p.add_argument("--by", help="comma-separated strata columns among part,target,label,lang,article (label: the "
                                "model's; default part,target,label,lang; '' for none)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--measure", choices=["stance", "frames", "incivility"], default="stance")
    p.add_argument("--model", help="for a page: hub id or local path of the model")
    p.add_argument("--force", action="store_true", help="replace a sample already in --out")
    p.set_defaults(func=_sample)

    p = sub.add_parser("agreement", help="Krippendorff's alpha between coders, consensus, and the model against it")
    p.add_argument("coders", nargs="+", help="filled-in to_code.csv files and/or Label Studio JSON exports")
    p.add_argument("--out", required=True)
    p.add_argument("--model", help="the sample's key.csv: score the model against the coders' consensus")
    p.add_argument("--measure", choices=["stance", "frames", "incivility"],
                   help="default: guessed from the first coder file")
    p.add_argument("--n-boot", type=int, default=1000, help="bootstrap resamples (default 1000)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--allow-missing", action="store_true", help="accept items some coders left out")
    p.set_defaults(func=_agreement)

    p = sub.add_parser("notebooks", help="execute the notebooks headless (they write figures/)")
    p.add_argument("--page")
    p.add_argument("--model")
    p.set_defaults(func=_notebooks)

    args = parser.parse_args(argv)
    from analysis.errors import AnalysisError

    try:
        from analysis.stance.encoder import EncoderError  # imports torch: a Ctrl-C may land here already
    except KeyboardInterrupt:
        print("interrupted (Ctrl-C) while starting; nothing was written", file=sys.stderr)
        return 130
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("default")
            warnings.showwarning = _one_line_warning
            args.func(args)
    except KeyboardInterrupt as err:  # Ctrl-C: one line, the shell's status for SIGINT
        print(f"interrupted: {err}" if str(err) else
              "interrupted (Ctrl-C); outputs are written atomically, none is half-written", file=sys.stderr)
        return 130
    except (AnalysisError, EncoderError) as err:  # the project's own errors: bad input, path, option
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


def _one_line_warning(message, category, filename, lineno, file=None, line=None):
    print(f"warning: {message}", file=sys.stderr if file is None else file)


if __name__ == "__main__":
    sys.exit(main())
