// Every French word a reader sees; same shape as en.ts. French typography:
// a non-breaking space (\u00a0) before ":", "?", "!" and ";".
import type { Strings } from "./en";
import type { Cadence, Lang } from "./lang";

const plural = (n: number, one: string, many: string) => (n <= 1 ? one : many);

export const fr: Strings = {
  lang: "fr",
  serviceName: "NATO Digest",
  notAffiliated: "NATO Digest est un service indépendant, sans lien avec l'OTAN.",
  runBy: (name: string) => `NATO Digest est géré par ${name}.`,
  writeTo: "Écrire à",
  digest: {
    subjectMore: (n: number) => ` + ${n} ${plural(n, "autre", "autres")}`,
    title: (cadence: Cadence) => (cadence === "weekly" ? "NATO Digest de la semaine" : "NATO Digest"),
    heading: (cadence: Cadence, date: string) => (cadence === "weekly" ? `La semaine de l'OTAN, jusqu'au ${date}` : `L'actualité de l'OTAN, ${date}`),
    intro: (count: number, cadence: Cadence) =>
      cadence === "weekly"
        ? `${count} ${plural(count, "communiqué", "communiqués")} de la semaine écoulée, du plus récent au plus ancien.`
        : `${count} ${plural(count, "nouveau communiqué", "nouveaux communiqués")} depuis la dernière édition, du plus récent au plus ancien.`,
    introFollowUps: "Des communiqués que vous aviez déjà, désormais dans votre langue ou révisés par l'OTAN.",
    topics: (topics: string[]) => `Seulement les communiqués sur\u00a0: ${topics.join(", ")}.`,
    inThisDigest: "Dans cette édition",
    andMoreBelow: (n: number) => `et ${n} ${plural(n, "autre", "autres")} plus bas`,
    moreHeading: "Autres communiqués",
    andMore: (n: number) => `Et ${n} ${plural(n, "autre communiqué", "autres communiqués")}\u00a0:`,
    seeAll: "tous les voir dans la version web",
    reason: (cadence: Cadence) =>
      cadence === "weekly"
        ? "Vous recevez cet e-mail parce que vous vous êtes abonné à l'édition hebdomadaire de NATO Digest et avez confirmé votre adresse. Il arrive le lundi matin quand l'OTAN a publié dans la semaine."
        : "Vous recevez cet e-mail parce que vous vous êtes abonné à NATO Digest et avez confirmé votre adresse. Il arrive le matin qui suit une publication de l'OTAN.",
    forwarded: "On vous l'a transféré\u00a0?",
    subscribeHere: "Abonnez-vous ici",
    sourceFallback: "OTAN",
    inLanguage: (lang: Lang): string => (lang === "en" ? "(en anglais)" : "(en français)"),
    nowInLanguage: (lang: Lang): string => (lang === "en" ? "Maintenant en anglais" : "Maintenant en français"),
    updatedHeading: "Mis à jour depuis notre envoi",
    previously: (title: string) => `Auparavant : « ${title} »`,
  },
  footer: {
    unsubscribe: "Se désabonner",
    managePreferences: "Gérer mes préférences",
    viewInBrowser: "Voir dans le navigateur",
  },
  confirm: {
    subject: "Confirmez votre abonnement à NATO Digest",
    preview: (cadence: Cadence) =>
      cadence === "weekly"
        ? "Un clic pour recevoir chaque semaine les actualités et communiqués de l'OTAN."
        : "Un clic pour recevoir chaque jour les actualités et communiqués de l'OTAN.",
    heading: "Confirmez votre abonnement",
    body: (cadence: Cadence) =>
      `Quelqu'un, vous sans doute, a demandé à recevoir NATO Digest à cette adresse\u00a0: ${cadence === "weekly" ? "un e-mail par semaine" : "un e-mail par jour"} avec les nouvelles actualités et les communiqués de l'OTAN.`,
    button: "Confirmer l'abonnement",
    orOpen: "Ou ouvrez ce lien\u00a0:",
    ignore: (hours: number) =>
      `Si vous n'avez rien demandé, ignorez cet e-mail\u00a0: vous ne serez pas abonné et ne recevrez plus rien de notre part. Le lien est valable ${hours}\u00a0heures.`,
    reason:
      "Vous recevez ce message parce que cette adresse a été saisie sur le formulaire d'inscription de NATO Digest ou envoyée à son adresse d'abonnement.",
    preferences: "Une fois par semaine, seulement certains sujets, ou en anglais\u00a0? Vous pouvez le choisir maintenant ou plus tard\u00a0:",
  },
  help: {
    subject: "Utiliser NATO Digest par e-mail",
    preview: "Envoyez «\u00a0subscribe\u00a0» ou «\u00a0unsubscribe\u00a0» pour gérer votre abonnement à NATO Digest.",
    heading: "Nous n'avons pas compris votre demande",
    intro: "Cette adresse comprend ces mots, en objet ou en première ligne de votre message\u00a0:",
    subscribe: "nous vous envoyons un lien pour confirmer un digest quotidien des actualités et communiqués de l'OTAN.",
    subscribeWeekly: "la même chose, pour un digest hebdomadaire.",
    unsubscribe: "nous arrêtons de vous envoyer le digest.",
    writeTo: "Écrivez à",
    orSignup: ", ou utilisez la page d'inscription\u00a0:",
    reason: "Vous recevez cette unique réponse parce que vous avez écrit à l'adresse de NATO Digest. Nous répondons au plus une fois par jour.",
  },
  pages: {
    backToSignup: "Retour à la page d'inscription",
    goToSignup: "Aller à la page d'inscription",
    otherLanguage: { label: "English", href: "/?lang=en", lang: "en" },
    footer:
      "NATO Digest est un service indépendant qui envoie par e-mail un résumé des actualités et communiqués publics de l'OTAN. Il n'a aucun lien avec l'OTAN.",
    pastDigests: "Éditions précédentes",
    archive: {
      empty: "Aucune édition n'a encore été envoyée.",
      atom: "Flux Atom",
      subscribe: "S'abonner",
      feedTitle: "Archives de NATO Digest",
      releases: (n: number) => `${n} ${plural(n, "communiqué", "communiqués")}`,
      otherLanguage: { label: "In English", href: "/digests", lang: "en" },
    },
    signup: {
      title: "L'actualité de l'OTAN par e-mail",
      heading: "Les actualités et communiqués de l'OTAN, par e-mail",
      intro:
        "NATO Digest envoie chaque matin un e-mail avec les actualités et communiqués publiés par l'OTAN depuis la veille\u00a0: le titre, l'heure et un court résumé de chacun, avec un lien vers le texte complet sur nato.int. Pas d'e-mail les jours sans nouvelles.",
      emailLabel: "Votre adresse e-mail",
      emailHint: "Nous envoyons d'abord un lien de confirmation. Rien d'autre n'est envoyé avant que vous cliquiez dessus.",
      options: "Options\u00a0: fréquence, sujets, langue",
      optionsHint: "Laissez-les telles quelles pour un e-mail par jour avec tout ce que publie l'OTAN.",
      cadenceLegend: "Fréquence",
      daily: "Chaque matin où il y a du nouveau (quotidien)",
      weekly: "Une fois par semaine, le lundi (hebdomadaire)",
      topicsLabel: "Seulement les communiqués sur ces sujets (facultatif)",
      topicsHint: "Jusqu'à 10 mots, séparés par des virgules. Exemple\u00a0: cyber, Ukraine, espace. Vide\u00a0: tout.",
      langLegend: "Langue des e-mails",
      otherLanguageLegend: "Les actualités que l'OTAN n'a pas publiées dans votre langue",
      otherLanguageInclude: "Les inclure dans l'autre langue, en le signalant",
      otherLanguageSkip: "Les laisser de côté",
      sourcesLegend: "Flux",
      sourcesHint: "Cochez les flux voulus. Aucun coché\u00a0: tous les flux dans la langue choisie.",
      submit: "S'abonner",
      honeypot: "Laissez ce champ vide",
      privacy:
        "Chaque e-mail contient un lien de désabonnement en un clic et un lien pour modifier ces choix. Votre adresse ne sert qu'au digest, à rien d'autre.",
      latestHeading: "Au sommaire de la dernière édition",
      latestNone: "Aucune édition n'a encore été envoyée.",
      archive: "Toutes les éditions précédentes",
    },
    checkInbox: {
      title: "Consultez votre boîte de réception",
      notice: "Si l'adresse peut recevoir le digest, un e-mail de confirmation est en route. Ouvrez-le et appuyez sur",
      button: "Confirmer l'abonnement",
      notice2: "pour commencer à recevoir NATO Digest.",
      spam: "Rien reçu après quelques minutes\u00a0? Regardez dans vos indésirables, ou",
      tryAgain: "réessayez",
    },
    confirm: {
      title: "Confirmez votre abonnement",
      text: "Appuyez sur le bouton pour commencer à recevoir NATO Digest.",
      button: "Confirmer l'abonnement",
    },
    confirmed: {
      title: "Abonnement confirmé",
      heading: "Vous êtes abonné",
      notice: "Votre abonnement est confirmé. La prochaine édition arrive le matin qui suit une publication de l'OTAN.",
      preferences: "Choisissez la fréquence, les sujets et la langue\u00a0:",
      unsubscribeNote: "Chaque édition contient un lien pour se désabonner en un clic.",
    },
    unsubscribe: {
      title: "Se désabonner",
      heading: "Se désabonner de NATO Digest",
      text: "Appuyez sur le bouton et vous ne recevrez plus aucune édition.",
      button: "Se désabonner",
      orPreferences: "Trop d'e-mails\u00a0? Vous pouvez n'en recevoir qu'un par semaine, ou seulement certains sujets\u00a0:",
    },
    unsubscribed: {
      title: "Désabonné",
      heading: "Vous êtes désabonné",
      notice: "Vous ne recevrez plus aucune édition. Vous avez changé d'avis\u00a0?",
      again: "Se réabonner",
    },
    unsubscribeHelp: {
      text: "Chaque e-mail se termine par un lien personnel «\u00a0Se désabonner\u00a0»\u00a0: ouvrez-le depuis l'e-mail reçu et appuyez sur le bouton. Le bouton «\u00a0se désabonner\u00a0» de votre messagerie fonctionne aussi.",
      muted: "Cette page ne sait pas qui vous êtes\u00a0: elle ne peut pas vous désabonner toute seule.",
    },
    preferences: {
      title: "Vos préférences",
      heading: "Vos préférences NATO Digest",
      intro: "Choisissez ce que vous recevez et à quelle fréquence. Les changements s'appliquent dès la prochaine édition.",
      save: "Enregistrer",
      saved: "Enregistré. La prochaine édition suivra ces choix.",
      unsubscribeHeading: "Arrêter les e-mails",
      unsubscribeText: "Ne plus recevoir aucune édition\u00a0:",
      unsubscribeButton: "Se désabonner",
      noToken:
        "Chaque e-mail contient un lien personnel «\u00a0Gérer mes préférences\u00a0»\u00a0: ouvrez-le depuis l'e-mail reçu. Sans lui, cette page ne sait pas qui vous êtes.",
      help: "Cette page est réservée au lecteur dont l'e-mail y mène\u00a0; le lien reste valable, gardez-le pour vous.",
    },
    linkProblems: {
      expired: {
        heading: "Ce lien a expiré",
        text: "Les liens de confirmation sont valables 48\u00a0heures. Inscrivez-vous à nouveau pour en recevoir un nouveau.",
      },
      unsubscribed: {
        heading: "Ce lien n'est plus valable",
        text: "Cette adresse a été désabonnée après l'envoi du lien. Inscrivez-vous à nouveau pour en recevoir un nouveau.",
      },
      suppressed: {
        heading: "Nous ne pouvons pas écrire à cette adresse",
        text: "Des e-mails à cette adresse ont été refusés ou signalés comme indésirables\u00a0: nous avons arrêté d'y écrire. Contactez l'exploitant pour lever ce blocage.",
      },
      unknown: {
        heading: "Ce lien n'est plus valable",
        text: "Aucune inscription en attente ne correspond à ce lien. Inscrivez-vous à nouveau pour en recevoir un nouveau.",
      },
      invalid: {
        heading: "Ce lien n'est pas valable",
        text: "Le lien a peut-être été coupé ou modifié. Copiez le lien entier depuis l'e-mail, ou inscrivez-vous à nouveau.",
      },
    },
    error: { tooMany: "Trop de tentatives", generic: "Quelque chose ne va pas", heading: "Nous n'avons pas pu le faire" },
    fieldErrors: {
      email: "Saisissez une adresse e-mail valable, comme nom@example.org.",
      cadence: "Choisissez quotidien ou hebdomadaire.",
      topics: "Sujets\u00a0: 10 au plus, de 2 à 40 caractères chacun, séparés par des virgules.",
      lang: "Choisissez anglais ou français.",
      sources: "Choisissez des flux dans la liste.",
    },
    fixField: "Merci de corriger ceci\u00a0:",
    langNames: { en: "English (anglais)", fr: "Français" },
  },
};
