"""`flask privacy …`: encryption keys of NIK/NIP and the retention purge (UU PDP)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app import crypto
from app.extensions import db
from app.privacy import keys, purge

privacy_cli = AppGroup("privacy", help="Data pribadi: kunci enkripsi NIK/NIP dan masa simpan data.")


@privacy_cli.command("keygen")
def keygen() -> None:
    """Print a new PII_KEYS key and a PII_HASH_KEY for the environment (nothing is stored)."""
    click.echo(f"PII_KEYS={crypto.generate_key()}")
    click.echo(f"PII_HASH_KEY={crypto.generate_hash_key()}")
    click.echo(
        "# Rotasi: taruh kunci baru di depan PII_KEYS (pisahkan dengan koma), jalankan "
        "`flask privacy rotate-keys`, lalu hapus kunci lama. PII_HASH_KEY baru: `--rehash`."
    )


@privacy_cli.command("rotate-keys")
@click.option("--rehash", is_flag=True, help="Hitung ulang hash NIK dengan PII_HASH_KEY sekarang.")
@click.option("--batch-size", default=500, show_default=True, type=click.IntRange(1, 10_000))
def rotate_keys(rehash: bool, batch_size: int) -> None:
    """Re-encrypt every NIK/NIP with the first key of PII_KEYS (the others may then be removed);
    with --rehash also recompute the NIK hashes after PII_HASH_KEY changed. Each batch is committed."""
    steps = 0
    for step in keys.rotate_keys(rehash=rehash, batch_size=batch_size):
        db.session.commit()
        steps += 1
        click.echo(f"{step.table}: {step.done}/{step.total}")
    click.echo(
        f"Selesai: {steps} batch dienkripsi ulang dengan kunci pertama"
        + (", hash NIK dihitung ulang." if rehash else ".")
    )


@privacy_cli.command("purge")
@click.option("--dry-run", is_flag=True, help="Hanya hitung; tidak ada yang diubah.")
def purge_command(dry_run: bool) -> None:
    """Anonymise the people whose class ended more than PII_RETENTION_DAYS ago (figures and
    certificate verification stay); one audit entry per run."""
    result = purge.purge(dry_run=dry_run)
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
        purge.remove_letters(result)
        purge.checkpoint()
    counts = result.counts()
    click.echo(
        ("Uji coba (tidak ada yang diubah): " if dry_run else "")
        + f"kelas berakhir sebelum {result.cutoff.isoformat()}: {counts['classes']} kelas, "
        f"{counts['registrations']} pendaftaran dianonimkan ({counts['names_removed']} tanpa sertifikat: "
        f"nama dihapus), {counts['letters']} surat tugas, {counts['attendance_notes']} catatan presensi, "
        f"{counts['name_corrections']} permintaan koreksi nama."
    )
