"""Build stance_train.csv: stance training examples written by the project's developers.

Nothing here comes from the seed page or the dev set. Generic templates (a ``{slot}``
for the target's name in the right grammatical form) are filled for each of the four
targets; target-specific sentences (slurs, leaders, operations) are written out whole,
here and in ``stance_train_written.csv`` (comment-style sentences, one target each) and
``stance_train_comments.csv`` (comment-style texts with a label for every target they name,
``labels`` = ``Target:label`` pairs, so that one text teaches different stances toward
different targets, and ``none`` for targets named without being judged).
Run: ``python data/annotations/make_stance_train.py`` (deterministic).
"""
import csv
from pathlib import Path

FORMS = {
    #          T            T_cap        de_T              a_T            adj         adjf          people           cap       leader      en         en_adj      ar          dz
    "France": ("la France", "La France", "de la France", "à la France", "français", "française", "les Français", "Paris", "Macron", "France", "French", "فرنسا", "Fransa"),
    "Morocco": ("le Maroc", "Le Maroc", "du Maroc", "au Maroc", "marocain", "marocaine", "les Marocains", "Rabat", "le roi", "Morocco", "Moroccan", "المغرب", "Lmaghrib"),
    "Algeria": ("l'Algérie", "L'Algérie", "de l'Algérie", "à l'Algérie", "algérien", "algérienne", "les Algériens", "Alger", "Tebboune", "Algeria", "Algerian", "الجزائر", "Dzayer"),
    "Russia": ("la Russie", "La Russie", "de la Russie", "à la Russie", "russe", "russe", "les Russes", "Moscou", "Poutine", "Russia", "Russian", "روسيا", "Rossiya"),
}
SLOTS = ["T", "T_cap", "de_T", "a_T", "adj", "adjf", "people", "cap", "leader", "en", "en_adj", "ar", "dz"]

# (register, lang, template)
TEMPLATES = {
    "favor": [
        ("plain", "fr", "Vive {T} !"),
        ("plain", "fr", "{T_cap} a eu raison de défendre sa souveraineté."),
        ("plain", "fr", "Respect {a_T} qui tient tête aux puissants."),
        ("plain", "fr", "Je suis fier de ce que fait {T} dans la région."),
        ("plain", "fr", "{leader} a pris la bonne décision, bravo."),
        ("plain", "fr", "{people} sont des gens dignes et courageux."),
        ("plain", "fr", "{cap} montre enfin une diplomatie intelligente."),
        ("plain", "fr", "Heureusement que {T} est là pour stabiliser la région."),
        ("plain", "fr", "La politique {de_T} ? Franchement c'est la seule qui tient la route."),
        ("negation", "fr", "{T_cap} n'a jamais trahi ses alliés, contrairement à d'autres."),
        ("negation", "fr", "Personne ne peut nier que {T} a fait du bon travail."),
        ("plain", "fr", "Un grand pays, {T}, qu'on le veuille ou non."),
        ("plain", "fr", "Merci {a_T} pour son soutien au peuple malien."),
        ("plain", "fr", "{T_cap} est un partenaire fiable et sérieux."),
        ("plain", "fr", "La diplomatie {adjf} a remporté une belle victoire."),
        ("negation", "fr", "On ne dira jamais assez combien {T} a aidé le Sahel."),
        ("plain", "fr", "{T_cap} défend ses intérêts avec intelligence, chapeau."),
        ("plain", "en", "Long live {en}!"),
        ("plain", "en", "{en} is doing the right thing here, respect."),
        ("plain", "en", "Proud of {en} for standing up to the bullies."),
        ("plain", "en", "{en_adj} diplomacy is finally smart and effective."),
        ("negation", "en", "Nobody can deny that {en} helped the region."),
        ("plain", "ar", "تحيا {ar}"),
        ("plain", "ar", "{ar} دولة عظيمة ذات سيادة"),
        ("plain", "ar", "كل الاحترام ل{ar}"),
        ("darija", "ary", "{dz} bled mzyan, nchallah dima l3aziza"),
        ("darija", "mixed", "tahya {dz} wallah fiers de vous"),
        ("mixed", "mixed", "{T_cap} 3andha rjal, respect total"),
        ("plain", "fr", "Ce que {T} a fait pour le Mali mérite d'être salué."),
        ("plain", "fr", "{people} peuvent être fiers de leur diplomatie."),
        ("plain", "en", "Good job {en}, keep it up."),
        ("plain", "fr", "J'admire le courage {de_T} face aux pressions."),
    ],
    "against": [
        ("insult", "fr", "À bas {T} et ses complots."),
        ("insult", "fr", "{T_cap} n'est qu'un pays de voleurs et de menteurs."),
        ("insult", "fr", "{leader} est un clown, il ne sait que mentir."),
        ("plain", "fr", "Honte {a_T}, toujours à trahir ses voisins."),
        ("insult", "fr", "{people} sont des hypocrites, on le sait depuis longtemps."),
        ("plain", "fr", "{cap} pille l'Afrique depuis des décennies."),
        ("insult", "fr", "Le régime {adj} est pourri jusqu'à la moelle."),
        ("sarcasm", "fr", "Bravo {T}, encore une belle réussite... dans la honte."),
        ("sarcasm", "fr", "Quelle grande diplomatie que celle {de_T}, elle collectionne les échecs."),
        ("sarcasm", "fr", "Ah oui {T} le grand défenseur des peuples, laissez-moi rire."),
        ("negation", "fr", "{T_cap} ne respecte jamais ses engagements."),
        ("negation", "fr", "Je ne fais aucune confiance {a_T}."),
        ("plain", "fr", "{T_cap} dégage d'Afrique !"),
        ("plain", "fr", "Les mercenaires {de_T} sèment la mort partout où ils passent."),
        ("insult", "fr", "{T_cap}, c'est la dictature et la corruption, rien d'autre."),
        ("insult", "fr", "Qu'ils aillent au diable, {people} et leurs mensonges."),
        ("plain", "fr", "{T_cap} est l'ennemi des peuples de la région."),
        ("plain", "en", "Down with {en} and its puppets."),
        ("insult", "en", "{en} is a corrupt regime that lies to everyone."),
        ("plain", "en", "Shame on {en}, always betraying its neighbours."),
        ("sarcasm", "en", "Oh sure, {en} the great friend of Africa, what a joke."),
        ("negation", "en", "I will never trust {en}."),
        ("plain", "ar", "يسقط نظام {ar}"),
        ("plain", "ar", "{ar} عدو الشعوب"),
        ("plain", "ar", "عار على {ar}"),
        ("darija", "ary", "{dz} hchouma 3likom, machi rjal"),
        ("darija", "mixed", "tfou 3la {dz} w nidam dyalha"),
        ("mixed", "mixed", "{T_cap} ghir l'khedma w le mensonge, dégage"),
        ("plain", "fr", "Toute cette crise est la faute {de_T}."),
        ("insult", "fr", "Les dirigeants {de_T} sont des incapables."),
        ("plain", "en", "{en} only cares about gold and uranium."),
        ("sarcasm", "fr", "Merci {T}, grâce à vous la région brûle. Vraiment merci."),
    ],
    "none": [
        ("plain", "fr", "{T_cap} a annoncé une réunion ministérielle pour la semaine prochaine."),
        ("plain", "fr", "Le ministre des affaires étrangères {de_T} s'est rendu à Bamako hier."),
        ("question", "fr", "Quelqu'un sait combien de soldats {T} a déployé au Mali ?"),
        ("reported", "fr", "{T_cap} et le Mali ont signé un accord de coopération, selon l'agence officielle."),
        ("reported", "fr", "La délégation {de_T} arrivera mardi, d'après le communiqué."),
        ("plain", "fr", "Il faudrait voir ce que {T} va décider avant de juger."),
        ("plain", "fr", "{cap} accueillera le sommet régional en juin."),
        ("negation", "fr", "Je ne sais pas quoi penser de la position {de_T} sur ce dossier."),
        ("plain", "fr", "Les chiffres publiés par {T} concernent l'année 2023."),
        ("plain", "fr", "{people} voteront l'an prochain."),
        ("plain", "fr", "L'article parle {de_T} mais ne donne pas de source."),
        ("plain", "fr", "{leader} a reçu l'ambassadeur du Niger ce matin."),
        ("reported", "fr", "Le porte-parole {de_T} n'a pas souhaité commenter l'information."),
        ("plain", "fr", "Le prix du gaz vendu {a_T} sera renégocié en septembre."),
        ("plain", "en", "{en} announced a ministerial meeting next week."),
        ("question", "en", "Does anyone know how many troops {en} has in the region?"),
        ("plain", "en", "The {en_adj} delegation will arrive on Tuesday."),
        ("plain", "ar", "وصل وفد من {ar} إلى باماكو"),
        ("plain", "ar", "أعلنت {ar} عن اجتماع وزاري"),
        ("darija", "ary", "chkoun y3ref wach {dz} ghadi tsift l'3askar?"),
        ("mixed", "mixed", "{T_cap} w Mali 3andhom réunion demain, on verra"),
        ("plain", "fr", "Un sommet réunira {T} et ses voisins en octobre."),
        ("question", "fr", "Pourquoi {T} n'a rien dit sur cette affaire ?"),
        ("plain", "en", "A spokesperson for {en} declined to comment."),
        ("plain", "fr", "{cap} a publié les résultats de l'enquête."),
        # reported actions of the target are not stances toward it (guideline 6)
        ("report", "fr", "{T_cap} a décidé de renforcer sa coopération militaire avec le Niger."),
        ("report", "fr", "{T_cap} soutient le gouvernement de transition depuis l'an dernier."),
        ("report", "fr", "{T_cap} a dépêché des émissaires à Niamey la semaine dernière."),
        ("report", "fr", "{T_cap} veut porter son aide financière à un niveau plus élevé."),
        ("report", "fr", "{people} ont lancé des négociations discrètes avec la junte."),
        ("report", "fr", "{cap} a proposé de financer une partie du projet."),
        ("report", "fr", "{T_cap} entend jouer un rôle de médiateur dans la région."),
        ("report", "fr", "Le gouvernement {de_T} prévoit d'ouvrir une ambassade à Ouagadougou."),
        ("report", "fr", "{leader} a reçu le Premier ministre nigérien pour parler de sécurité."),
        ("report", "en", "{en} plans to expand its military cooperation with Niger."),
        ("report", "en", "{en} has offered to finance part of the deal."),
    ],
}

# Target-specific sentences: slurs, leaders, operations, multi-target contrasts
SPECIFIC = [
    ("Morocco", "against", "insult", "fr", "Les marochiens qu'ils restent chez eux avec leurs mensonges."),
    ("Morocco", "against", "insult", "fr", "Le Makhzen vend tout, même son propre peuple."),
    ("Morocco", "against", "insult", "fr", "Ton roitelet ne sait que fumer et voyager."),
    ("Morocco", "against", "insult", "fr", "Encore une fakenews du Makhzen, comme d'habitude."),
    ("Morocco", "against", "insult", "mixed", "Les mgharba dyal l'Makhzen ghir khedma w kdoub."),
    ("Morocco", "against", "insult", "fr", "Un marochien reste un marochien, haineux et jaloux."),
    ("Morocco", "against", "plain", "fr", "Le royaume chérifien a vendu la Palestine pour un tweet."),
    ("Morocco", "against", "sarcasm", "fr", "Bravo le Makhzen, champion du monde de la propagande."),
    ("Morocco", "favor", "plain", "fr", "Le Maroc avance pendant que d'autres reculent."),
    ("Morocco", "favor", "plain", "fr", "Le roi Mohammed VI a une vraie vision pour l'Afrique."),
    ("Morocco", "favor", "plain", "fr", "Fier d'être marocain, le Sahara restera marocain."),
    ("Morocco", "favor", "plain", "en", "Morocco is building ports and highways while others shout."),
    ("Morocco", "none", "plain", "fr", "Rabat a publié un communiqué sur les accords de pêche."),
    ("Algeria", "against", "insult", "fr", "Les kabranes ruinent ce pays depuis soixante ans."),
    ("Algeria", "against", "insult", "fr", "Taboune va dégager, ce régime est fini."),
    ("Algeria", "against", "plain", "fr", "Le régime d'Alger ne sait que nuire à ses voisins."),
    ("Algeria", "against", "insult", "fr", "La junte algérienne vole le gaz du peuple."),
    ("Algeria", "against", "sarcasm", "fr", "La nouvelle Algérie de Tebboune, quelle réussite, des pénuries partout."),
    ("Algeria", "favor", "plain", "fr", "L'Algérie ne plie devant personne."),
    ("Algeria", "favor", "plain", "mixed", "One two three viva l'Algérie !"),
    ("Algeria", "favor", "plain", "fr", "L'armée algérienne protège nos frontières avec honneur."),
    ("Algeria", "favor", "negation", "fr", "L'Algérie n'a jamais vendu ses principes, jamais."),
    ("Algeria", "none", "plain", "fr", "Lamamra sera à Addis-Abeba pour le sommet de l'Union africaine."),
    ("France", "against", "plain", "fr", "La Françafrique c'est fini, qu'ils l'acceptent."),
    ("France", "against", "plain", "fr", "L'armée française s'est comportée comme une armée d'occupation."),
    ("France", "against", "insult", "fr", "Les fafas pleurent encore leur Barkhane."),
    ("France", "against", "plain", "fr", "Paris n'a toujours pas reconnu ses crimes coloniaux."),
    ("France", "against", "sarcasm", "fr", "Merci Barkhane pour dix ans de succès... les terroristes vous disent merci."),
    ("France", "favor", "plain", "fr", "La France a sauvé Bamako en 2013 avec Serval."),
    ("France", "favor", "plain", "fr", "Sans l'opération Barkhane, le Sahel serait tombé."),
    ("France", "favor", "plain", "en", "French troops protected civilians when nobody else did."),
    ("France", "none", "plain", "fr", "L'Élysée a confirmé la date de la visite officielle."),
    ("Russia", "against", "insult", "fr", "Wagner n'est qu'une bande d'assassins payés en or."),
    ("Russia", "against", "insult", "fr", "Poutine est un criminel de guerre."),
    ("Russia", "against", "plain", "fr", "Les Russes viennent pour les mines, pas pour les Maliens."),
    ("Russia", "against", "plain", "en", "Wagner massacred civilians in Moura, everyone knows it."),
    ("Russia", "favor", "plain", "fr", "Wagner a fait plus en un an que les autres en dix."),
    ("Russia", "favor", "plain", "fr", "Heureusement que la Russie aide l'Afrique contre les terroristes."),
    ("Russia", "favor", "plain", "fr", "Le Kremlin respecte la souveraineté des Africains."),
    ("Russia", "none", "plain", "fr", "Africa Corps a remplacé Wagner au Mali en 2024."),
    # contrasts: one sentence, two targets, two stances
    ("Algeria", "favor", "multi", "fr", "Vive l'Algérie libre, et que le Makhzen aille au diable."),
    ("Morocco", "against", "multi", "fr", "Vive l'Algérie libre, et que le Makhzen aille au diable."),
    ("Morocco", "favor", "multi", "fr", "Le Maroc construit, pendant que les kabranes détruisent."),
    ("Algeria", "against", "multi", "fr", "Le Maroc construit, pendant que les kabranes détruisent."),
    ("Russia", "favor", "multi", "fr", "Merci la Russie, la France nous a trahis."),
    ("France", "against", "multi", "fr", "Merci la Russie, la France nous a trahis."),
    ("France", "favor", "multi", "fr", "Mieux vaut Barkhane que les assassins de Wagner."),
    ("Russia", "against", "multi", "fr", "Mieux vaut Barkhane que les assassins de Wagner."),
    # second-person address to a commenter identified by a slur or demonym
    ("Morocco", "against", "address", "fr", "@samir toi le marocain, tes maîtres français te lâcheront un jour."),
    ("Algeria", "against", "address", "fr", "@dz213 l'algérien, ton régime vous affame et vous applaudissez."),
    ("France", "against", "address", "fr", "@jean le français, vous avez pillé l'Afrique pendant un siècle."),
]


REGISTER_FILES = "registers/train_*.csv"  # hand-written texts in four registers (registers/README.md)


def main():
    rows = []
    for label, templates in TEMPLATES.items():
        for k, (kind, lang, tpl) in enumerate(templates):
            for target, forms in FORMS.items():
                text = tpl.format(**dict(zip(SLOTS, forms)))
                rows.append((f"t-{label}-{k:02d}-{target}", text, target, label, lang, "comment", kind, "template"))
    for k, (target, label, kind, lang, text) in enumerate(SPECIFIC):
        rows.append((f"s-{k:03d}", text, target, label, lang, "comment", kind, "written"))
    here = Path(__file__).parent
    with open(here / "stance_train_written.csv", encoding="utf-8") as fh:
        for k, r in enumerate(csv.DictReader(fh)):
            rows.append((f"w-{k:03d}", r["text"], r["target"], r["label"], r["lang"], "comment", r["register"], "written"))
    with open(here / "stance_train_comments.csv", encoding="utf-8") as fh:
        for k, r in enumerate(csv.DictReader(fh), start=2):
            for target, label in _pairs(r["labels"], f"stance_train_comments.csv:{k}"):
                rows.append((f"c-{k - 2:03d}-{target}", r["text"], target, label, r["lang"], "comment", r["register"],
                             "written"))
    for path in sorted(here.glob(REGISTER_FILES)):
        with open(path, encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            for r in reader:
                for target, label in _pairs(r["labels"], f"{path.name}:{reader.line_num}"):
                    rows.append((f"{r['id']}-{target}", r["text"], target, label, r["lang"], r["register"],
                                 r["phenomenon"], "register"))
    out = here.parents[1] / "analysis" / "data" / "stance_train.csv"  # package data: a wheel trains from it
    with open(out, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "text", "target", "label", "lang", "register", "phenomenon", "origin"])
        w.writerows(rows)
    print(f"{out}: {len(rows)} examples")
    held = []  # stances the register texts attribute to a named holder: the holder network's training rows
    for path in sorted(here.glob(REGISTER_FILES)):
        with open(path, encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            for r in reader:
                for pair in r["attributed"].split():
                    stance, _, holder = pair.partition("@")
                    (target, label), = _pairs(stance, f"{path.name}:{reader.line_num}")
                    held.append((f"{r['id']}-{target}@{holder}", r["text"], target, label, holder, r["lang"],
                                 r["register"]))
    out = out.with_name("stance_train_held.csv")
    with open(out, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "text", "target", "label", "holder", "lang", "register"])
        w.writerows(held)
    print(f"{out}: {len(held)} attributed stances")


def _pairs(labels: str, where: str):
    for pair in labels.split():
        target, _, label = pair.partition(":")
        if target not in FORMS or label not in ("favor", "against", "none"):
            raise SystemExit(f"{where}: bad label {pair!r}")
        yield target, label


if __name__ == "__main__":
    main()
