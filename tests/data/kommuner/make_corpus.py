"""Generate the kommuner evaluation corpus (documents + labels) deterministically.

Run from the repository root:  .venv/bin/python tests/data/kommuner/make_corpus.py

Every third document of PLAN (positions 3, 6, 9, ...) goes to heldout/, the others to tune/.
The split was fixed before the documents were written; heldout/ is never used for tuning.
Re-running rewrites the same bytes: zip entries of DOCX/XLSX get a fixed time, PDFs are written
in reportlab's invariant mode, document dates are fixed in the builders.
"""
from __future__ import annotations

import re
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import corpus_docs_a as A  # noqa: E402
import corpus_docs_b as B  # noqa: E402
import corpus_docs_c as C  # noqa: E402

# (file name, builder) in planned order. Position i (1-based) with i % 3 == 0 -> heldout.
PLAN = [
    ("ekbacka-kvalitetsrapport-solrosens-forskola-2022-23.docx", A.d01_ekbacka_kr_solrosen),
    ("norrsjo-delarsrapport-augusti-2022-bun.pdf", A.d02_norrsjo_delar_aug_2022),
    ("vasterby-verksamhetsplan-tallbacksskolan-2023-24.docx", A.d03_vasterby_vp_tallbacken),
    ("granholm-kvalitetsredovisning-grundskolan-2022.html", A.d04_granholm_kr_web),
    ("hallevik-stratsys-malrapport-t2-2023.xlsx", A.d05_hallevik_stratsys_t2),
    ("sandhamra-kvalitetsrapport-bjorkskolan-2021-2022.pdf", A.d06_sandhamra_kr_bjorkskolan),
    ("solberga-verksamhetsplan-forskoleomrade-vast-2024.md", A.d07_solberga_vp_vast),
    ("kronvik-tertialrapport-1-2023-bun.docx", A.d08_kronvik_t1_2023),
    ("asbro-hypergene-malrapport-t3-2022.csv", A.d09_asbro_hypergene_t3_csv),
    ("myrviken-bun-protokoll-2023-03-22.txt", A.d10_myrviken_protokoll_txt),
    ("bjorkfjarden-verksamhetsberattelse-2021-bun.pdf", A.d11_bjorkfjarden_vb_2021),
    ("vasterby-kvalitetsrapport-forskolan-2023.html", A.d12_vasterby_kr_forskola_web),
    ("solberga-kvalitetsredovisning-angsskolan-2022.docx", B.d13_solberga_kr_angsskolan),
    ("ronnasen-manadsrapport-oktober-2023-bun.pdf", B.d14_ronnasen_manad_okt_2023),
    ("norrsjo-hypergene-verksamhetsplan-2023-uppfoljning.xlsx", B.d15_norrsjo_hypergene_vp_2023),
    ("kronvik-kvalitetsrapport-forskola-huvudman-2023.md", B.d16_kronvik_kr_forskola_md),
    ("tallmo-arsredovisning-2022-bildningsnamnden.docx", B.d17_tallmo_ar_2022),
    ("asbro-tertialrapport-2-2022-bun.pdf", B.d18_asbro_t2_2022),
    ("ekbacka-arshjul-skolan-2024.html", B.d19_ekbacka_arshjul_web),
    ("ronnasen-uppfoljning-verksamhetsplan-2022.docx", B.d20_ronnasen_vp_uppf_2022),
    ("bjorkfjarden-arshjul-forskola-2022-23.txt", B.d21_bjorkfjarden_arshjul_txt),
    ("myrviken-uppfoljning-fjolarets-aktiviteter-2022.pdf", B.d22_myrviken_fjolarets_2022),
    ("ekbacka-stratsys-uppdrag-2023.csv", B.d23_ekbacka_stratsys_uppdrag_csv),
    ("granholm-bun-protokoll-2022-11-16.docx", B.d24_granholm_protokoll),
    ("angsbacka-delarsrapport-augusti-2023.html", C.d25_angsbacka_delar_web),
    ("angsbacka-kvalitetsrapport-angsbackaskolan-2022-2023.pdf", C.d26_angsbacka_kr_pdf),
    ("tallmo-granbacken-uppfoljning-utvecklingsomraden-2022-23.md", C.d27_tallmo_uppf_md),
    ("hallevik-huvudmannens-kvalitetsrapport-2023.docx", C.d28_hallevik_huvudman_kr),
    ("ekbacka-tertialrapport-t2-2023-bun.pdf", C.d29_ekbacka_t2_stratsys_pdf),
    ("hallevik-verksamhetsberattelse-2023-bun.html", C.d30_hallevik_vb_web),
    ("myrviken-kvalitetsrapport-fritidshem-ekenskolan.docx", C.d31_myrviken_fritids),
    ("vasterby-arsredovisning-2022-bun.pdf", C.d32_vasterby_ar_2022),
    ("bjorkfjarden-kvalitetsrapport-blaklockan-2021-2022.docx", C.d33_bjorkfjarden_kr_blaklockan),
    ("sandhamra-arshjul-systematiskt-kvalitetsarbete-2023-24.docx", C.d34_sandhamra_arshjul_docx),
    ("asbro-verksamhetsplan-kyrkbyskolan-2022.docx", C.d35_asbro_vp_kyrkby),
    ("ronnasen-bun-protokoll-2023-09-20.pdf", C.d36_ronnasen_protokoll_pdf),
]


def normalise_zip(path):
    """Rewrite a DOCX/XLSX with fixed zip entry times so that re-runs give the same bytes."""
    with zipfile.ZipFile(path) as z:
        entries = [(i.filename, z.read(i.filename)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries:
            if name == "docProps/core.xml":  # openpyxl stamps 'modified' with the time of saving
                created = re.search(rb"<dcterms:created[^>]*>([^<]+)<", data)
                if created:
                    data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]+(<)", rb"\g<1>" + created.group(1) + rb"\g<2>", data)
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)


def split_of(position):
    return "heldout" if position % 3 == 0 else "tune"


def main(only=None):
    for d in ("tune", "heldout"):
        (HERE / d).mkdir(exist_ok=True)
        if only is None:
            for f in (HERE / d).iterdir():
                f.unlink()
    for i, (fname, build) in enumerate(PLAN, 1):
        if only and not any(o in fname for o in only):
            continue
        path = HERE / split_of(i) / fname
        labels, outline = build(path)
        if path.suffix in (".docx", ".xlsx"):
            normalise_zip(path)
        labels.write(path.with_name(fname + ".labels.json"), outline)
        print(f"{i:2d} {split_of(i):7s} {fname}")


if __name__ == "__main__":
    main(sys.argv[1:] or None)
