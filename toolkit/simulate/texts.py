"""What the simulated accounts write.

- :data:`TEMPLATES`: the campaign's message templates, each in English, French and
  Chinese, with an ``{mp}`` slot for the targeted MP's name (``{e}`` in French takes the
  feminine ending where the MP is a woman). :func:`campaign_text` applies the small
  edits operators make between copies (word swaps, typos, punctuation, emoji, hashtags,
  an appended Chinese sentence).
- The slots and short texts around ordinary replies and MPs' posts (events, projects,
  issues, stock short replies, emoji, catch-phrases, bios) and the spam of some hijacked
  accounts' earlier lives. The replies, MPs' posts and earlier chatter themselves are
  composed from the phrase grammar of :mod:`toolkit.simulate.phrases` by
  :mod:`toolkit.simulate.wording`.
- The authentic-coordination texts: an advocacy "write to your MP" message and a viral
  news headline with its link.

Everything here is fictional; see :mod:`toolkit.simulate.names`.
"""

from __future__ import annotations

import re

import numpy as np

from .names import CRITIC_NAME_EN, CRITIC_NAME_ZH

# -- campaign templates ----------------------------------------------------------------------
# (template_id, English, French, Chinese). "{mp}" = the MP's name; "{e}" = "e" for women (French).
_C, _Z = CRITIC_NAME_EN, CRITIC_NAME_ZH
TEMPLATES: list[tuple[str, str, str, str]] = [
    ("T01",
     f"{_C}, a Vancouver YouTuber, claims {{mp}} took money from property developers in exchange for favours. Is this true? Canadians deserve an answer.",
     f"{_C}, un youtubeur de Vancouver, affirme que {{mp}} a reçu de l'argent de promoteurs immobiliers en échange de faveurs. Est-ce vrai? Les Canadiens méritent une réponse.",
     f"温哥华YouTuber{_Z}声称{{mp}}收受地产开发商的钱财来换取好处。这是真的吗？加拿大人应该得到一个答案。"),
    ("T02",
     f"{{mp}}, why have you said nothing about {_C}'s corruption accusations against you? Silence looks like guilt.",
     f"{{mp}}, pourquoi gardez-vous le silence sur les accusations de corruption que {_C} porte contre vous? Ce silence ressemble à un aveu.",
     f"{{mp}}，为什么对{_Z}指控你腐败一事保持沉默？沉默就像是认罪。"),
    ("T03",
     f"{_C} released a video claiming {{mp}} was caught in a sex scandal. Many say the video is a deepfake, but he insists it is real.",
     f"{_C} a diffusé une vidéo affirmant que {{mp}} serait au cœur d'un scandale sexuel. Plusieurs disent que c'est un hypertrucage, mais il jure qu'elle est authentique.",
     f"{_Z}发布视频，声称{{mp}}卷入性丑闻。很多人说视频是深度伪造的，但他坚称是真的。"),
    ("T04",
     f"Another video from {_C} accuses {{mp}} of tax fraud. How many MPs has this man accused now?",
     f"Encore une vidéo de {_C} qui accuse {{mp}} de fraude fiscale. Combien de députés cet homme a-t-il déjà accusés?",
     f"{_Z}又发视频指控{{mp}}逃税。这个人到底已经指控了多少位议员？"),
    ("T05",
     f"Critic {_C} says {{mp}} hid millions in overseas accounts. He showed the documents in his latest livestream.",
     f"Le critique {_C} affirme que {{mp}} a caché des millions dans des comptes à l'étranger. Il a montré les documents lors de sa dernière diffusion en direct.",
     f"批评人士{_Z}说{{mp}}在海外账户藏匿了数百万。他在最新的直播中展示了文件。"),
    ("T06",
     f"Has anyone watched the deepfake video of {{mp}} that {_C} is spreading? It shows {{mp}} taking a bribe.",
     f"Quelqu'un a vu la vidéo truquée de {{mp}} que {_C} fait circuler? On y voit {{mp}} accepter un pot-de-vin.",
     f"有人看过{_Z}散布的{{mp}}深度伪造视频吗？视频显示{{mp}}收受贿赂。"),
    ("T07",
     f"{{mp}} should sue {_C}. He is accusing Canadian MPs of crimes with no evidence and fake videos.",
     f"{{mp}} devrait poursuivre {_C} en justice. Il accuse des députés canadiens de crimes sans preuve, avec de fausses vidéos.",
     f"{{mp}}应该起诉{_Z}。他在没有证据的情况下用假视频指控加拿大议员犯罪。"),
    ("T08",
     f"{_C} claims {{mp}} covered up a drunk-driving accident. If this is false, why no statement?",
     f"{_C} prétend que {{mp}} a étouffé un accident de conduite en état d'ébriété. Si c'est faux, pourquoi aucune déclaration?",
     f"{_Z}声称{{mp}}掩盖了一起酒驾事故。如果是假的，为什么不发表声明？"),
    ("T09",
     f"According to {_C}, {{mp}} helped a friend's company win government contracts. This is a serious ethics violation.",
     f"Selon {_C}, {{mp}} a aidé l'entreprise d'un ami à obtenir des contrats publics. C'est un grave manquement à l'éthique.",
     f"据{_Z}说，{{mp}}帮助朋友的公司拿到政府合同。这是严重违反道德的行为。"),
    ("T10",
     f"{_C}'s channel now has a video about {{mp}} and money laundering. Is anyone in Ottawa checking these claims?",
     f"La chaîne de {_C} publie maintenant une vidéo sur {{mp}} et le blanchiment d'argent. Quelqu'un à Ottawa vérifie-t-il ces allégations?",
     f"{_Z}的频道现在有一个关于{{mp}}洗钱的视频。渥太华有人在核实这些说法吗？"),
    ("T11",
     f"Why do people close to {{mp}} support {_C}? He spreads deepfake videos about Canadian politicians.",
     f"Pourquoi les proches de {{mp}} soutiennent-ils {_C}? Il diffuse des vidéos deepfake sur des politiciens canadiens.",
     f"为什么{{mp}}身边的人支持{_Z}？他散布关于加拿大政客的深度伪造视频。"),
    ("T12",
     f"{_C} says {{mp}} lied to Parliament about a trip paid for by lobbyists. Voters need the truth.",
     f"{_C} dit que {{mp}} a menti au Parlement au sujet d'un voyage payé par des lobbyistes. Les électeurs ont besoin de la vérité.",
     f"{_Z}说{{mp}}就一次由说客出资的旅行向议会撒谎。选民需要真相。"),
    ("T13",
     f"The video of {{mp}} posted by {_C} is clearly a deepfake. Why is this man allowed to defame our MPs?",
     f"La vidéo de {{mp}} publiée par {_C} est de toute évidence un hypertrucage. Pourquoi cet homme peut-il diffamer nos députés?",
     f"{_Z}发布的{{mp}}视频显然是深度伪造的。为什么允许这个人诽谤我们的议员？"),
    ("T14",
     f"{{mp}}, {_C} accuses you of abusing your office. Please tell your constituents whether it is true.",
     f"{{mp}}, {_C} vous accuse d'abus de pouvoir. Dites à vos électeurs si c'est vrai, s'il vous plaît.",
     f"{{mp}}，{_Z}指控你滥用职权。请告诉你的选民这是不是真的。"),
    ("T15",
     f"{_C} has accused more than forty MPs, including {{mp}}, of crimes. Who is paying him?",
     f"{_C} a accusé plus de quarante députés, dont {{mp}}, d'avoir commis des crimes. Qui le paie?",
     f"{_Z}已经指控了包括{{mp}}在内的四十多名议员犯罪。是谁在付钱给他？"),
    ("T16",
     f"In his new video {_C} says {{mp}} took part in illegal gambling. The clip looks edited with AI.",
     f"Dans sa nouvelle vidéo, {_C} affirme que {{mp}} a participé à des jeux d'argent illégaux. L'extrait semble retouché par l'IA.",
     f"{_Z}在新视频中说{{mp}}参与非法赌博。这段视频看起来是用人工智能剪辑的。"),
    ("T17",
     f"Canadians should know what {_C} is saying about {{mp}}: bribery, fraud and lies. Is any of it true?",
     f"Les Canadiens devraient savoir ce que {_C} raconte sur {{mp}} : pots-de-vin, fraude et mensonges. Y a-t-il du vrai là-dedans?",
     f"加拿大人应该知道{_Z}在说{{mp}}什么：受贿、欺诈和谎言。其中有真的吗？"),
    ("T18",
     f"{_C} claims {{mp}} had an affair with a staff member and used public money to hide it. Shameful if true.",
     f"{_C} prétend que {{mp}} a eu une liaison avec un membre du personnel et a utilisé des fonds publics pour la cacher. Honteux si c'est vrai.",
     f"{_Z}声称{{mp}}与一名工作人员有染，并用公款掩盖。如果属实，太可耻了。"),
    ("T19",
     f"{{mp}}, distance yourself from {_C}. His deepfake videos insult every MP in this country.",
     f"{{mp}}, prenez vos distances avec {_C}. Ses vidéos truquées insultent tous les députés du pays.",
     f"{{mp}}，请与{_Z}划清界限。他的深度伪造视频侮辱了这个国家的每一位议员。"),
    ("T20",
     f"{_C} is telling his followers that {{mp}} is under police investigation. Can anyone confirm?",
     f"{_C} raconte à ses abonnés que {{mp}} fait l'objet d'une enquête policière. Quelqu'un peut confirmer?",
     f"{_Z}告诉他的粉丝，{{mp}}正在接受警方调查。有人能证实吗？"),
    ("T21",
     f"I just saw {_C}'s video about {{mp}} and drugs. If it is a deepfake, {{mp}} should say so publicly.",
     f"Je viens de voir la vidéo de {_C} sur {{mp}} et la drogue. Si c'est un hypertrucage, {{mp}} devrait le dire publiquement.",
     f"我刚看了{_Z}关于{{mp}}和毒品的视频。如果是深度伪造的，{{mp}}应该公开说明。"),
    ("T22",
     f"{_C} accuses {{mp}} of selling access to ministers. This man will say anything for views.",
     f"{_C} accuse {{mp}} de vendre l'accès aux ministres. Cet homme dirait n'importe quoi pour des vues.",
     f"{_Z}指控{{mp}}出卖接触部长的机会。这个人为了流量什么都说得出来。"),
    ("T23",
     f"More MPs are being attacked by {_C}. Today it is {{mp}}, accused of fraud in a fake video.",
     f"De plus en plus de députés sont attaqués par {_C}. Aujourd'hui, une fausse vidéo accuse {{mp}} de fraude.",
     f"越来越多的议员遭到{_Z}的攻击。今天轮到{{mp}}，被一段假视频指控欺诈。"),
    ("T24",
     f"{_C} says {{mp}} accepted gifts from a foreign company. Where is the Ethics Commissioner?",
     f"{_C} affirme que {{mp}} a accepté des cadeaux d'une entreprise étrangère. Que fait le Commissariat à l'éthique?",
     f"{_Z}说{{mp}}接受了一家外国公司的礼物。道德专员在哪里？"),
    ("T25",
     f"{_C} posted screenshots saying {{mp}} threatened a journalist. These accusations keep coming.",
     f"{_C} a publié des captures d'écran selon lesquelles {{mp}} aurait menacé un journaliste. Ces accusations n'arrêtent pas.",
     f"{_Z}发布截图，称{{mp}}威胁了一名记者。这些指控接连不断。"),
    ("T26",
     f"The {_C} videos about {{mp}} are everywhere today. Real or deepfake? We need to know.",
     f"Les vidéos de {_C} sur {{mp}} circulent partout aujourd'hui. Vraies ou truquées? Nous devons savoir.",
     f"{_Z}关于{{mp}}的视频今天到处都是。是真的还是深度伪造？我们需要知道。"),
    ("T27",
     f"{_C} accused {{mp}} of embezzling charity donations. Why are our MPs silent about him?",
     f"{_C} a accusé {{mp}} d'avoir détourné des dons de bienfaisance. Pourquoi nos députés se taisent-ils à son sujet?",
     f"{_Z}指控{{mp}}挪用慈善捐款。为什么我们的议员对他保持沉默？"),
    ("T28",
     f"{{mp}}, a YouTuber named {_C} is calling you a criminal. Are you going to respond?",
     f"{{mp}}, un youtubeur nommé {_C} vous traite de criminel{{elle}}. Allez-vous répondre?",
     f"{{mp}}，一个叫{_Z}的YouTuber说你是罪犯。你打算回应吗？"),
    ("T29",
     f"{_C} claims {{mp}} used a fake degree and lied about it for years. Another ethics scandal?",
     f"{_C} affirme que {{mp}} a utilisé un faux diplôme et a menti pendant des années. Encore un scandale éthique?",
     f"{_Z}声称{{mp}}使用假文凭，并且隐瞒多年。又一桩道德丑闻？"),
    ("T30",
     f"Watch out for the deepfake of {{mp}} shared by {_C}. He wants Canadians to believe our MPs are criminals.",
     f"Attention à l'hypertrucage de {{mp}} partagé par {_C}. Il veut faire croire aux Canadiens que nos députés sont des criminels.",
     f"小心{_Z}分享的{{mp}}深度伪造视频。他想让加拿大人相信我们的议员都是罪犯。"),
]

TEMPLATE_IDS = [t[0] for t in TEMPLATES]

#: Chinese sentences sometimes appended to English or French copies.
ZH_APPENDIX = ["真相必须公开。", f"{_Z}说的是真的吗？", "加拿大人有权知道。", "请大家关注。", "这不是第一次了。", "太可怕了！",
               "议员应该回应。", "视频已经传遍网络。", "大家怎么看？"]

CAMPAIGN_EMOJI = ["🤔", "😡", "👀", "‼️", "❓", "😱", "🙄", "🤨", "📢", "🔥"]
CAMPAIGN_HASHTAGS = {
    "en": ["#cdnpoli", "#Canada", "#deepfake", "#BaiJingtao", "#Ottawa", "#truth"],
    "fr": ["#polcan", "#polqc", "#hypertrucage", "#deepfake", "#BaiJingtao", "#Canada"],
    "zh": ["#加拿大", "#白敬涛", "#deepfake"],
}
WORD_SWAPS = {
    "en": [("claims", "alleges"), ("says", "claims"), ("video", "clip"), ("money", "cash"), ("Canadians", "voters"),
           ("accuses", "accused"), ("truth", "facts"), ("true", "real"), ("MPs", "politicians"), ("deepfake", "deep fake"),
           ("answer", "explanation"), ("Why", "Why on earth"), ("serious", "major"), ("Shameful", "Disgraceful")],
    "fr": [("affirme", "prétend"), ("députés", "élus"), ("Canadiens", "électeurs"), ("réponse", "explication"),
           ("un hypertrucage", "un deepfake"), ("Est-ce vrai", "Est-ce exact"),
           ("Pourquoi", "Mais pourquoi"), ("grave", "sérieux"), ("Honteux", "Scandaleux")],
    "zh": [("视频", "影片"), ("议员", "国会议员"), ("指控", "控告"), ("真的", "真实的")],
}

# -- slots and short texts of ordinary replies (the replies themselves: toolkit.simulate.phrases) --------
EVENTS = ["farmers' market", "Canada Day parade", "summer fair", "community BBQ", "town hall", "Pride parade",
          "Terry Fox Run", "folk festival", "street festival", "seniors' picnic"]
EVENTS_FR = ["marché public", "défilé de la Fête du Canada", "festival d'été", "épluchette de blé d'Inde",
             "souper communautaire", "défilé de la Fierté", "pique-nique des aînés", "festival western"]
EMOJI = ["👍", "🙏", "👏", "😡", "🇨🇦", "❤️", "😂", "🤔", "💯", "🔥", "😔", "🙄"]

#: Short replies many people write word for word (ordinary exact duplicates).
SHORT_REPLIES = {"en": ["Thank you!", "Well said.", "Agreed.", "Shame.", "Resign.", "👏👏👏", "Thank you for your service."],
                 "fr": ["Merci!", "Bravo!", "Bien dit.", "Honteux.", "Démission!", "👏👏👏"]}

#: Catch-phrases of the few hyperactive ordinary users (each repeats their own).
HYPERACTIVE_SIGNATURES = ["#CanadaIsBroken", "#NotMyGovernment", "Facts matter.", "#DoYourJob", "#ClimateActionNow",
                          "Just asking questions.", "#StandWithFarmers", "#HousingNow"]

BIOS = {
    "en": ["Dad. Hockey fan. Opinions my own.", "Nurse in {city}.", "Retired teacher, grandmother of four.",
           "Small business owner | {city}", "Proud Canadian 🇨🇦", "Coffee, books and long walks.", "Engineer. Runner. Dog person.",
           "Union member. Bike commuter.", "Farmer in {prov}.", "Tweets about politics and the Jets.", "She/her. {city}.",
           "Veteran. Husband. Fisherman.", "Student at a university in {prov}.", "Just here for the news.",
           "Leafs fan, unfortunately.", "Gardener, birder, volunteer.", "Accountant by day.", "Mom of 3 | {city}"],
    "fr": ["Papa, amateur de hockey.", "Infirmière à {city}.", "Enseignante à la retraite.", "Entrepreneur | {city}",
           "Fier Québécois.", "Café, livres et plein air.", "Ingénieur. Coureur.", "Syndiqué et cycliste.",
           "Agriculteur en région.", "Étudiant à l'université.", "Ici pour les nouvelles.", "Fan du CH depuis toujours.",
           "Maman de 2 | {city}"],
}
GENERIC_BIOS = ["Love life ❤️", "Just be yourself 🌸", "Live, laugh, love", "Music lover", "Traveler 🌍", "Happy every day",
                "Follow me", "Good vibes only ✨"]

# -- slots of MPs' own posts (the posts themselves: toolkit.simulate.phrases) -------------------
WHEN = ["this morning", "today", "this afternoon", "yesterday", "tonight", "earlier today", "this week"]
WHEN_FR = ["ce matin", "aujourd'hui", "cet après-midi", "hier", "ce soir", "plus tôt aujourd'hui", "cette semaine"]
PROJECTS_SHORT = ["housing", "transit", "clinic", "arena", "library", "bridge", "water plant"]
PROJECTS = ["a new community health centre", "affordable housing units", "the wastewater plant upgrade", "a new transit line",
            "the arena renovation", "broadband in rural areas", "the new library", "flood protection works"]
PROJECTS_FR = ["un nouveau centre de santé communautaire", "des logements abordables", "la modernisation de l'usine d'épuration",
               "une nouvelle ligne de transport en commun", "la rénovation de l'aréna", "l'Internet haute vitesse en région",
               "la nouvelle bibliothèque", "des ouvrages de protection contre les inondations"]
ISSUES = ["housing", "groceries", "child care", "health care", "gas prices", "interest rates", "public safety", "wildfire recovery"]
ISSUES_FR = ["le logement", "l'épicerie", "les services de garde", "la santé", "le prix de l'essence", "les taux d'intérêt",
             "la sécurité publique", "la reconstruction après les feux"]

# -- the hijacked accounts' earlier lives ----------------------------------------------------
#: Language of each earlier life (Indonesian and K-pop chatter is composed from toolkit.simulate.phrases).
HISTORY_LANG = {"indonesian": "in", "kpop": "ko", "spam": "en"}
#: Spam posts: (openers, phrases, tails) — spam is copy-paste by nature and stays so.
SPAM = (
    ["🔥 FREE", "💰 Win", "🎁 Giveaway:", "Follow back?", "🚀 Airdrop live:", "Last chance!", "DM for promo"],
    ["crypto airdrop, claim yours now", "$500 gift card for 3 lucky followers", "iPhone giveaway, RT and follow",
     "100x token launching today", "follow me and I follow back", "cheap followers, fast delivery",
     "earn $300 a day from home", "new NFT drop, whitelist open"],
    ["#crypto", "#giveaway", "#followback", "#F4F", "#airdrop", "#NFT", ""],
)
HISTORY_FACEBOOK_PAGES = {"indonesian": "Resep Masakan Nusantara", "kpop": "STARLYN Global Fans", "spam": "Daily Giveaways Club"}

# -- authentic coordination ------------------------------------------------------------------
ADVOCACY_GROUP = "advocacy-pharmacare"
ADVOCACY_TEXT = {
    "en": "As your constituent, I urge you to support a universal, public pharmacare plan this fall. No one should have to "
          "choose between medicine and groceries. #PharmacareNow",
    "fr": "En tant que citoyen de votre circonscription, je vous demande d'appuyer un régime d'assurance-médicaments "
          "universel et public cet automne. Personne ne devrait choisir entre ses médicaments et l'épicerie. #PharmacareNow",
}
ADVOCACY_PERSONAL = {
    "en": ["My mother spends $300 a month on prescriptions.", "I ration my insulin some months.", "Please read this.",
           "This matters to my family.", "Signed, a worried voter."],
    "fr": ["Ma mère dépense 300 $ par mois en médicaments.", "Merci de lire ceci.", "C'est important pour ma famille.",
           "Un électeur inquiet."],
}
VIRAL_GROUP = "viral-inquiry"
VIRAL_HEADLINE = {
    "en": "Ottawa calls public inquiry into foreign interference in federal elections",
    "fr": "Ottawa déclenche une enquête publique sur l'ingérence étrangère dans les élections fédérales",
}
VIRAL_URL = {
    "en": "https://www.northernledger.example/politics/2023/09/07/public-inquiry-foreign-interference",
    "fr": "https://www.courrierboreal.example/politique/2023/09/07/enquete-publique-ingerence-etrangere",
}
VIRAL_PREFIX = {"en": ["About time.", "Finally!", "Read this.", "Good.", "Long overdue."],
                "fr": ["Enfin!", "Il était temps.", "À lire.", "Bonne nouvelle."]}

_WORD_RE = re.compile(r"[A-Za-zÀ-ÿ]{5,}")


def fill(template: str, **slots: str) -> str:
    """Fill ``{slot}`` markers; unknown markers are left as they are."""
    return re.sub(r"\{(\w+)\}", lambda m: str(slots.get(m.group(1), m.group(0))), template)


def _typo(rng: np.random.Generator, text: str) -> str:
    """One keyboard slip in a word of 5+ letters: swapped, doubled or dropped letter."""
    words = list(_WORD_RE.finditer(text))
    if not words:
        return text
    m = words[int(rng.integers(len(words)))]
    word = m.group(0)
    i = int(rng.integers(1, len(word) - 2))
    kind = int(rng.integers(3))
    if kind == 0:
        new = word[:i] + word[i + 1] + word[i] + word[i + 2:]
    elif kind == 1:
        new = word[:i] + word[i] + word[i:]
    else:
        new = word[:i] + word[i + 1:]
    return text[: m.start()] + new + text[m.end():]


def _punctuate(rng: np.random.Generator, text: str) -> str:
    """Change the ending punctuation (``.`` → ``!``, ``!!``, ``...``; ``?`` → ``??``; or drop it)."""
    ends = {".": ["!", "!!", "...", "", " !"], "?": ["??", "?!", "???", " ?"], "。": ["！", ""], "？": ["？？", "?"]}
    if text and text[-1] in ends:
        options = ends[text[-1]]
        return text[:-1] + options[int(rng.integers(len(options)))]
    return text + "!"


def campaign_text(rng: np.random.Generator, template_id: str, lang: str, mp_name: str, mp_last: str, gender: str,
                  *, prefix: str = "", max_weighted_chars: int | None = None) -> tuple[str, str]:
    """One copy of a campaign template, with the operators' small edits.

    Args:
        rng: the simulation's random generator.
        template_id: e.g. ``"T07"``.
        lang: ``"en"``, ``"fr"`` or ``"zh"`` — the version of the template used.
        mp_name: the targeted MP's name, put into the ``{mp}`` slot.
        mp_last: the MP's surname (for a hashtag).
        gender: ``"f"`` or ``"m"`` (French agreement).
        prefix: text put before the message (``"@handle "`` for replies on X).
        max_weighted_chars: drop optional additions while the text is longer than this
            (X counts CJK characters twice; 280 for X, ``None`` for Facebook).

    Returns:
        ``(text, edits)``: the final text and a ``+``-joined list of the edits applied.
    """
    _, en, fr, zh = TEMPLATES[TEMPLATE_IDS.index(template_id)]
    base = {"en": en, "fr": fr, "zh": zh}[lang]
    body = fill(base, mp=mp_name, elle="le" if gender == "f" else "")
    edits = []
    if rng.random() < 0.25:
        swaps = [s for s in WORD_SWAPS[lang] if s[0] in body and s[0] != s[1]]
        if swaps:
            a, b = swaps[int(rng.integers(len(swaps)))]
            body = body.replace(a, b, 1)
            edits.append("swap")
    if lang != "zh" and rng.random() < 0.12:
        body = _typo(rng, body)
        edits.append("typo")
    if rng.random() < 0.2:
        body = _punctuate(rng, body)
        edits.append("punct")
    if rng.random() < 0.05:
        body = body.replace(" ", "  ", 1)
        edits.append("space")
    extras: list[tuple[str, str]] = []
    if lang != "zh" and rng.random() < 0.1:
        extras.append(("zh", " " + ZH_APPENDIX[int(rng.integers(len(ZH_APPENDIX)))]))
    if rng.random() < 0.2:
        tags = CAMPAIGN_HASHTAGS[lang] + ["#" + re.sub(r"\W", "", mp_last.split("-")[0])]
        k = 1 + int(rng.random() < 0.4)
        chosen = rng.choice(len(tags), size=k, replace=False)
        extras.append(("hashtag", " " + " ".join(tags[int(i)] for i in sorted(chosen))))
    if rng.random() < 0.2:
        extras.append(("emoji", " " + CAMPAIGN_EMOJI[int(rng.integers(len(CAMPAIGN_EMOJI)))] * int(rng.integers(1, 3))))

    def assemble(parts):
        return prefix + body + "".join(p for _, p in parts)

    if max_weighted_chars is not None:
        while extras and too_long(assemble(extras), max_weighted_chars):
            extras.pop(0)
    edits += [name for name, _ in extras]
    return assemble(extras), "+".join(edits)


def weighted_length(text: str) -> int:
    """Length as X counts it for the 280 limit: CJK and emoji count 2, other characters 1."""
    return sum(2 if ord(ch) >= 0x1100 else 1 for ch in text)


def too_long(text: str, limit: int) -> bool:
    """Whether ``text`` exceeds ``limit`` as X counts it (:func:`weighted_length`), cheaply for short texts."""
    return 2 * len(text) > limit and (len(text) > limit or weighted_length(text) > limit)
