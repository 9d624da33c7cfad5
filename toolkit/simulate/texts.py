"""What the simulated accounts write.

- :data:`TEMPLATES`: the campaign's message templates, each in English, French and
  Chinese, with an ``{mp}`` slot for the targeted MP's name (``{e}`` in French takes the
  feminine ending where the MP is a woman). :func:`campaign_text` applies the small
  edits operators make between copies (word swaps, typos, punctuation, emoji, hashtags,
  an appended Chinese sentence).
- Phrase banks from which ordinary replies, MPs' own posts, and the hijacked accounts'
  earlier lives (Indonesian chatter, K-pop fandom, spam) are assembled combinatorially,
  so that exact duplicates among ordinary posts are rare, as they are in real replies.
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

# -- ordinary replies to MPs -----------------------------------------------------------------
OPENERS = {
    "en": ["Thanks for the update.", "Good to see.", "Hmm.", "Seriously?", "Finally.", "Well said.", "Not convinced.",
           "Great news!", "About time.", "Interesting.", "Sorry, but no.", "Appreciate you sharing this.",
           "Respectfully, I disagree.", "Agreed!", "Okay.", "Love this.", "Really?", "Wow.", "Good question.",
           "Thank you!", "Come on.", "Fair enough.", "Yes!", "Nope.", "Hear, hear.", "With respect,", "Question for you:",
           "Honest question:", "As a constituent:", "Just saying,"],
    "fr": ["Merci pour la mise à jour.", "Bonne nouvelle!", "Hum.", "Sérieusement?", "Enfin.", "Bien dit.", "Pas convaincu.",
           "Il était temps.", "Intéressant.", "Désolé, mais non.", "Merci de partager.", "Respectueusement, je ne suis pas d'accord.",
           "D'accord!", "Bravo!", "Vraiment?", "Wow.", "Bonne question.", "Merci!", "Voyons donc.", "Oui!", "Non.",
           "Question :", "En tant que citoyen :", "Juste pour dire,"],
}
BODIES = {
    "en": [
        "Rent in {city} went up {n}% this year and my pay did not.",
        "When will something be done about the wait times at the {city} hospital?",
        "My family in {city} had to leave because of the fires this summer. Thank you to every crew out there.",
        "Groceries cost way too much right now.",
        "What is the actual plan for housing in {prov}?",
        "The carbon rebate helps my household, whatever people say online.",
        "We need more family doctors in {city}. I have been on the waitlist for {n} months.",
        "Please fix the bus service in {city}, it is getting worse every month.",
        "Great to see you at the {event} in {city}, {first}!",
        "My kids loved meeting you at the {event}.",
        "How is this going to help seniors on a fixed income?",
        "Interest rates are crushing young families in {city}.",
        "The smoke from the wildfires in {prov} has been unbearable.",
        "Who is paying for all of this?",
        "Dental care coverage made a real difference for my mom.",
        "Can you explain how this affects small businesses?",
        "We have been waiting {n} years for that bridge in {city}.",
        "This is exactly why people are losing trust in politicians.",
        "Thank you for standing up for {prov}.",
        "Will there be a town hall in {city} this fall?",
        "The cost of child care is still too high for us.",
        "Please do something about the potholes on the main road in {city}.",
        "I called your office last week and nobody called back.",
        "Housing starts in {city} are way down. Why?",
        "Our community centre in {city} needs funding badly.",
        "Gas prices in {city} hit {price} today.",
        "Not everything is the government's fault, but this one is.",
        "This is good news for farmers in {prov}.",
        "Where was this money when our local clinic closed?",
        "I voted for you and I am disappointed.",
        "Keep pushing on this, it matters to a lot of us in {city}.",
        "More of this please, less partisan fighting.",
        "The wildfire evacuees in {prov} need more support.",
        "My grocery bill went from ${n}0 to ${n2}0 a week.",
        "Thanks for visiting our school in {city}.",
        "How many units will actually be affordable?",
        "People in rural {prov} need better internet, not more announcements.",
        "Transit in {city} is a mess and everyone knows it.",
        "Can we get an update on the new hospital wing in {city}?",
        "Immigration levels need a real plan for housing and clinics.",
        "Veterans are still waiting months for their files.",
        "The line-ups at the passport office were ridiculous this summer.",
        "Climate change is real and this summer proved it.",
        "Please answer the question instead of posting photos.",
        "Lovely photo! {city} looks great in the summer.",
        "How about a plan for the opioid crisis in {city}?",
        "Our food bank in {city} saw {n}% more visits this year.",
        "Teachers in {prov} deserve better.",
        "Cutting taxes without cutting services, how exactly?",
        "This sounds good on paper. Let's see it happen.",
        "The Trans-Canada through {city} needs twinning.",
        "So proud of our firefighters in {prov}.",
        "Small towns like mine near {city} keep being forgotten.",
        "I agree with you for once.",
        "What happened to the promise on electoral reform?",
        "We need more apprenticeships for young people in {city}.",
        "Healthcare workers are exhausted. Listen to them.",
        "The price of a house in {city} is now {n} times the average salary.",
        "Thank you for taking the time to meet with our group.",
        "Congrats on the new role!",
        "Enjoy the {event}, see you there!",
        "What about the people who cannot afford a car in {city}?",
        "Happy to see investment in {city} for once.",
        "My daughter cannot afford to move out at {age}.",
        "Any news on the ferry schedule for next summer?",
        "The hospital in {city} closed its emergency room again last night.",
        "Do you support the new pipeline or not? Simple question.",
        "Public safety on transit in {city} is getting worse.",
        "A lot of us in {city} are struggling and this feels out of touch.",
    ],
    "fr": [
        "Mon loyer à {city} a augmenté de {n} % cette année, mais pas mon salaire.",
        "Quand allez-vous régler les temps d'attente à l'hôpital de {city}?",
        "Ma famille à {city} a dû quitter la maison à cause des feux cet été. Merci aux pompiers.",
        "L'épicerie coûte beaucoup trop cher en ce moment.",
        "Quel est le vrai plan pour le logement au Québec?",
        "On manque de médecins de famille à {city}. J'attends depuis {n} mois.",
        "Le transport en commun à {city} est de pire en pire.",
        "Content de vous avoir vu au {event_fr} de {city}!",
        "Mes enfants ont adoré vous rencontrer au {event_fr}.",
        "Comment ça va aider les aînés à revenu fixe?",
        "Les taux d'intérêt étouffent les jeunes familles.",
        "La fumée des feux de forêt était insupportable cet été.",
        "Qui va payer pour tout ça?",
        "Les soins dentaires ont vraiment aidé ma mère.",
        "Pouvez-vous expliquer l'effet sur les petites entreprises?",
        "C'est exactement pour ça que les gens ne font plus confiance aux politiciens.",
        "Merci de défendre les intérêts des gens de {city}.",
        "Y aura-t-il une assemblée publique à {city} cet automne?",
        "Les nids-de-poule sur la rue principale à {city}, c'est gênant.",
        "J'ai appelé votre bureau la semaine dernière et personne ne m'a rappelé.",
        "Notre centre communautaire à {city} a besoin de financement.",
        "L'essence était à {price_fr} à {city} aujourd'hui.",
        "Bonne nouvelle pour les agriculteurs de la région.",
        "Où était cet argent quand notre clinique a fermé?",
        "J'ai voté pour vous et je suis déçu.",
        "Continuez, c'est important pour beaucoup de monde à {city}.",
        "Plus de ça, s'il vous plaît, et moins de partisanerie.",
        "Ma facture d'épicerie est passée de {n}0 $ à {n2}0 $ par semaine.",
        "Merci d'être venu à notre école à {city}.",
        "Combien de logements seront vraiment abordables?",
        "Les régions ont besoin d'un meilleur Internet, pas de nouvelles annonces.",
        "Des nouvelles du nouveau pavillon de l'hôpital de {city}?",
        "Les anciens combattants attendent encore des mois pour leur dossier.",
        "Les files d'attente au bureau des passeports étaient ridicules cet été.",
        "Les changements climatiques sont bien réels, cet été l'a prouvé.",
        "Répondez à la question au lieu de publier des photos.",
        "Belle photo! {city} est magnifique l'été.",
        "Notre banque alimentaire à {city} a vu {n} % plus de visites cette année.",
        "Les enseignants méritent mieux.",
        "Ça sonne bien sur papier. On verra en pratique.",
        "Fier de nos pompiers forestiers.",
        "Les petites municipalités comme la mienne près de {city} sont toujours oubliées.",
        "Pour une fois, je suis d'accord avec vous.",
        "Le personnel de la santé est épuisé. Écoutez-le.",
        "Merci d'avoir pris le temps de rencontrer notre groupe.",
        "Félicitations pour le nouveau poste!",
        "Bon {event_fr}, on se voit là-bas!",
        "Et les gens qui n'ont pas les moyens d'avoir une auto à {city}?",
        "Content de voir des investissements à {city} pour une fois.",
        "Ma fille n'a pas les moyens de quitter la maison à {age} ans.",
        "L'urgence de l'hôpital de {city} a encore fermé cette nuit.",
        "Le français recule à {city}, il faut agir.",
        "Les délais d'immigration pour les travailleurs temporaires sont interminables.",
        "Le prix des maisons à {city}, c'est rendu n'importe quoi.",
        "Beaucoup de gens à {city} ont de la misère à arriver.",
        "Le traversier est encore en panne, ça n'a pas de bon sens.",
        "Vous appuyez le projet ou pas? Question simple.",
        "Les CPE manquent de places à {city}.",
        "Bravo pour le travail dans le comté!",
        "On attend ce pont depuis {n} ans à {city}.",
    ],
}
CLOSERS = {
    "en": ["Thanks.", "Please reply.", "Do better.", "Keep it up!", "We're watching.", "Just my two cents.", "Cheers.",
           "Vote accordingly.", "Let's get it done.", "Thank you for your work.", "Disappointed.", "Shameful.",
           "Good luck.", "Take care.", "#cdnpoli", "Seriously.", "Enough.", "Proud of you.", "Still waiting.",
           "Looking forward to it."],
    "fr": ["Merci.", "Svp répondez.", "Faites mieux.", "Continuez!", "On vous surveille.", "Mon grain de sel.",
           "Bonne journée.", "On s'en souviendra aux élections.", "Au travail!", "Merci pour votre travail.", "Déçu.",
           "Bonne chance.", "#polqc", "#polcan", "Franchement.", "Assez.", "Toujours en attente.", "Hâte de voir ça."],
}
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

# -- MPs' own posts --------------------------------------------------------------------------
MP_POSTS = {
    "en": [
        "Great to meet families at the {event} in {city} this morning.",
        "Today I announced ${n} million for {project} in {city}.",
        "Thank you to the firefighters and volunteers helping evacuees from {city} and across {prov}.",
        "Met with local business owners in {city} to talk about {issue}.",
        "My office in {city} is open all summer. Drop by or call us anytime.",
        "Families in {city} are paying more than ever. We will keep fighting for you on {issue}.",
        "Proud to support {project} in {city}. This is good news for our community.",
        "Spent the afternoon with seniors in {city} talking about {issue}.",
        "Happy to join the {event} in {city} today. What a turnout!",
        "Back in Ottawa soon. For the people of {city}, {issue} will be our priority this fall.",
        "Thank you to everyone who came to our town hall on {issue} in {city}.",
        "New funding for {project} will create jobs in {prov}.",
        "Visited the food bank in {city} today. Demand is up and volunteers are stretched.",
        "Congratulations to the graduates of the apprenticeship program in {city}!",
        "Reminder: our summer barbecue in {city} is this Saturday. Everyone welcome.",
        "Stopped by {n} local businesses on Main Street in {city} {when}. Shop local!",
        "Toured the new {project_short} site in {city} {when} with the mayor and council.",
        "Joined volunteers at the {city} food drive {when}. {n} boxes packed!",
        "Met {n} students from {city} on Parliament Hill {when}.",
        "Listening to residents of {city} on {issue} {when}. Your feedback shapes our work.",
        "Congratulations to the {city} minor hockey team on their summer tournament!",
        "Door knocking in {city} {when}: {issue} came up at almost every door.",
        "Sat down with farmers near {city} {when} to talk about drought and {issue}.",
    ],
    "fr": [
        "Heureux de rencontrer les familles au {event_fr} de {city} ce matin.",
        "J'ai annoncé aujourd'hui {n} millions de dollars pour {project_fr} à {city}.",
        "Merci aux pompiers et aux bénévoles qui aident les personnes évacuées de {city} et d'ailleurs.",
        "Rencontre avec des entrepreneurs de {city} au sujet de {issue_fr}.",
        "Mon bureau de circonscription à {city} reste ouvert tout l'été.",
        "Les familles de {city} paient plus cher que jamais. Nous continuerons de nous battre pour vous sur {issue_fr}.",
        "Fier d'appuyer {project_fr} à {city}. Une bonne nouvelle pour notre communauté.",
        "Après-midi avec les aînés de {city} pour parler de {issue_fr}.",
        "Quelle belle foule au {event_fr} de {city} aujourd'hui!",
        "Retour à Ottawa bientôt. Pour les gens de {city}, {issue_fr} sera notre priorité cet automne.",
        "Merci à toutes les personnes venues à notre assemblée publique sur {issue_fr} à {city}.",
        "Visite de la banque alimentaire de {city} aujourd'hui. La demande augmente.",
        "Rappel : notre épluchette annuelle à {city} a lieu samedi. Bienvenue à tous!",
        "Visite de {n} commerces de la rue principale à {city} {when_fr}. Achetons local!",
        "Rencontre avec {n} jeunes de {city} sur la Colline du Parlement {when_fr}.",
        "À l'écoute des gens de {city} sur {issue_fr} {when_fr}. Vos commentaires guident notre travail.",
        "Porte-à-porte à {city} {when_fr} : {issue_fr}, un sujet à presque toutes les portes.",
        "Avec les bénévoles de la collecte alimentaire de {city} {when_fr}. {n} boîtes remplies!",
    ],
}
MP_POST_TAILS = {
    "en": ["Thank you all!", "More to come.", "Great conversations.", "Proud of our community.", "See you soon!",
           "Thanks to everyone who came out.", "Details on my website.", "Let's keep working together.",
           "Questions? Call my office.", "What a day!", "Grateful for the warm welcome.", "Happy to help."],
    "fr": ["Merci à tous!", "À suivre.", "De belles discussions.", "Fier de notre communauté.", "À bientôt!",
           "Merci à toutes les personnes présentes.", "Détails sur mon site Web.", "Continuons de travailler ensemble.",
           "Des questions? Appelez mon bureau.", "Quelle journée!", "Merci pour l'accueil chaleureux."],
}
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
HISTORY = {
    "indonesian": (
        "in",
        ["Selamat pagi semua", "Alhamdulillah", "Duh", "Akhirnya", "Hari ini", "Capek banget", "Wkwkwk", "Ya ampun", "Semangat",
         "Malam minggu", "Aduh", "Btw", "Jujur aja", "Sumpah", "Eh", "Gaes", "Pagi-pagi", "Hmm"],
        ["macet parah di jalan pulang", "lagi pengen makan bakso", "hujan terus dari tadi siang", "kerjaan numpuk banget",
         "nonton drama sampai jam 2 pagi", "gajian masih lama", "kopi susu dulu biar melek", "ada yang mau nitip martabak?",
         "libur panjang ke Bandung", "lagi belajar masak rendang", "motor mogok lagi", "ujian besok belum belajar",
         "kangen kampung halaman", "jalan-jalan ke pantai sama teman", "sinyal di sini jelek banget", "kucingku sakit",
         "baru pulang kerja", "mau mudik minggu depan", "nasi goreng depan kos enak banget", "lagi dengerin lagu lama",
         "besok ada rapat pagi", "cuaca panas banget hari ini", "pengen liburan ke Bali", "adikku ulang tahun hari ini"],
        ["🙏", "😭", "😂", "🤣", "😴", "❤️", "", "😅", "🥲", "✨", "hehe", "wkwk"],
    ),
    "kpop": (
        "ko",
        ["오늘도 화이팅", "너무 좋아 ㅠㅠ", "컴백 축하해!", "사랑해요", "최고야", "보고 싶어", "미쳤다", "대박", "진짜", "헐",
         "어떡해", "ㅋㅋㅋ"],
        ["STARLYN 신곡 진짜 좋다", "NOVA9 무대 또 보고 싶어", "MOONVEIL 콘서트 티켓팅 실패", "뮤비 조회수 올리자",
         "직캠 백 번 봤어", "앨범 언박싱 했어요", "팬싸 당첨되고 싶다", "음방 1위 축하해", "투표 잊지 마세요", "포카 교환해요",
         "오늘 라이브 봤어?", "새 티저 나왔다", "응원봉 샀어요", "생일 카페 다녀왔어", "스밍 열심히 하자", "자컨 너무 웃겨"],
        ["💜", "✨", "😭", "🥺", "💕", "#STARLYN", "#NOVA9", "#MOONVEIL", "🌙", "💫"],
    ),
    "spam": (
        "en",
        ["🔥 FREE", "💰 Win", "🎁 Giveaway:", "Follow back?", "🚀 Airdrop live:", "Last chance!", "DM for promo"],
        ["crypto airdrop, claim yours now", "$500 gift card for 3 lucky followers", "iPhone giveaway, RT and follow",
         "100x token launching today", "follow me and I follow back", "cheap followers, fast delivery",
         "earn $300 a day from home", "new NFT drop, whitelist open"],
        ["#crypto", "#giveaway", "#followback", "#F4F", "#airdrop", "#NFT", ""],
    ),
}
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
