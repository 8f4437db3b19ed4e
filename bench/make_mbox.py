#!/usr/bin/env python3
"""Write an mbox of N fictional messages (for the start-up benchmark) to stdout."""
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
senders = [
    ("Dr Claire Moreau", "claire.moreau@chu-exemple.mssante.fr"),
    ("Laboratoire Exemple", "resultats@labo-exemple.mssante.fr"),
    ("Dr Paul Martin", "paul.martin@medecin.mssante.fr"),
    ("Pharmacie Exemple", "officine@pharmacie-exemple.mssante.fr"),
]
subjects = [
    "Compte rendu de consultation",
    "Résultats d'analyses",
    "Demande d'avis — insuffisance rénale",
    "Question sur une ordonnance",
]
days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
out = sys.stdout
for i in range(n):
    name, addr = senders[i % len(senders)]
    subject = subjects[(i // 4) % len(subjects)]
    year = 2010 + (i * 16) // n
    month = months[(i // 28) % 12]
    day = 1 + i % 28
    hour = i % 24
    out.write(f"From {addr} {days[i % 7]} {month} {day:2d} {hour:02d}:00:00 {year}\n")
    out.write(f"Message-ID: <bench-{i}@exemple.mssante.fr>\n")
    out.write(f"From: {name} <{addr}>\n")
    out.write("To: Dr Jean Petit <jean.petit@medecin.mssante.fr>\n")
    out.write(f"Subject: {subject} n°{i}\n")
    out.write(f"Date: {days[i % 7]}, {day} {month} {year} {hour:02d}:00:00 +0100\n")
    out.write("Content-Type: text/plain; charset=utf-8\n\n")
    out.write(f"Message fictif numéro {i} pour mesurer le démarrage.\n")
    out.write("Patient fictif, aucune donnée réelle.\n\n")
