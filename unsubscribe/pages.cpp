// pages.cpp — the wording of the one-click pages in the six page languages
// and the HTML around it. The wording is ours and holds no markup; what
// comes from the policy or the request (organisation, privacy URL, token)
// is escaped where it is put in.
#include "pages.h"

namespace unsubscribe {

namespace {

struct Message {
    std::string_view title;
    std::string_view text;  // "{org}" stands for the organisation's name
};

struct Wording {
    Message confirm;
    std::string_view button;
    Message done;
    std::string_view privacy;  // precedes the privacy policy's address
    Message bad_link;
    Message retry_later;
    Message not_found;
    Message method_not_allowed;
    Message too_large;
};

constexpr Wording french{
    {"Désinscription",
     "Appuyez sur le bouton pour ne plus recevoir d’e-mails de prospection de {org} à cette adresse."},
    "Me désinscrire",
    {"Désinscription confirmée", "Vous ne recevrez plus d’e-mails de prospection de {org}."},
    "Politique de confidentialité\u00a0:",
    {"Lien non valide",
     "Ce lien de désinscription est incomplet ou a été modifié. Utilisez le lien complet figurant dans le "
     "message reçu."},
    {"Veuillez réessayer plus tard",
     "Votre demande n’a pas pu être enregistrée pour le moment. Veuillez réessayer dans quelques minutes."},
    {"Page introuvable", "Il n’y a rien à cette adresse."},
    {"Requête non autorisée", "Cette page n’accepte pas ce type de requête."},
    {"Requête trop volumineuse", "La requête envoyée à cette page est trop volumineuse."},
};

constexpr Wording dutch{
    {"Afmelden", "Druk op de knop om op dit adres geen commerciële e-mails meer te ontvangen van {org}."},
    "Afmelden",
    {"U bent afgemeld", "U ontvangt geen commerciële e-mails meer van {org}."},
    "Privacyverklaring:",
    {"Ongeldige link",
     "Deze afmeldlink is onvolledig of gewijzigd. Gebruik de volledige link uit het bericht dat u hebt "
     "ontvangen."},
    {"Probeer het later opnieuw",
     "Uw verzoek kon nu niet worden geregistreerd. Probeer het over enkele minuten opnieuw."},
    {"Pagina niet gevonden", "Op dit adres staat niets."},
    {"Niet toegestaan", "Deze pagina accepteert dit soort verzoek niet."},
    {"Verzoek te groot", "Het verzoek aan deze pagina is te groot."},
};

constexpr Wording german{
    {"Abmelden",
     "Klicken Sie auf die Schaltfläche, um unter dieser Adresse keine Werbe-E-Mails mehr von {org} zu "
     "erhalten."},
    "Abmelden",
    {"Sie sind abgemeldet", "Sie erhalten keine Werbe-E-Mails mehr von {org}."},
    "Datenschutzerklärung:",
    {"Ungültiger Link",
     "Dieser Abmeldelink ist unvollständig oder wurde verändert. Bitte verwenden Sie den vollständigen Link "
     "aus der erhaltenen Nachricht."},
    {"Bitte versuchen Sie es später erneut",
     "Ihre Anfrage konnte gerade nicht gespeichert werden. Bitte versuchen Sie es in einigen Minuten erneut."},
    {"Seite nicht gefunden", "Unter dieser Adresse gibt es nichts."},
    {"Nicht erlaubt", "Diese Seite akzeptiert diese Art von Anfrage nicht."},
    {"Anfrage zu groß", "Die an diese Seite gesendete Anfrage ist zu groß."},
};

constexpr Wording english{
    {"Unsubscribe", "Press the button to stop receiving prospecting e-mail from {org} at this address."},
    "Unsubscribe",
    {"You are unsubscribed", "You will no longer receive prospecting e-mail from {org}."},
    "Privacy policy:",
    {"This link is not valid",
     "This unsubscribe link is incomplete or has been altered. Please use the complete link from the "
     "message you received."},
    {"Please try again later", "Your request could not be recorded just now. Please try again in a few minutes."},
    {"Page not found", "There is nothing at this address."},
    {"Not allowed", "This page does not accept this kind of request."},
    {"Request too large", "The request sent to this page is too large."},
};

constexpr Wording spanish{
    {"Darse de baja", "Pulse el botón para dejar de recibir correos comerciales de {org} en esta dirección."},
    "Darme de baja",
    {"Se ha dado de baja", "Ya no recibirá correos comerciales de {org}."},
    "Política de privacidad:",
    {"Enlace no válido",
     "Este enlace para darse de baja está incompleto o ha sido modificado. Utilice el enlace completo del "
     "mensaje que recibió."},
    {"Inténtelo de nuevo más tarde",
     "Su solicitud no ha podido registrarse en este momento. Inténtelo de nuevo dentro de unos minutos."},
    {"Página no encontrada", "No hay nada en esta dirección."},
    {"No permitido", "Esta página no acepta este tipo de solicitud."},
    {"Solicitud demasiado grande", "La solicitud enviada a esta página es demasiado grande."},
};

constexpr Wording italian{
    {"Annulla l’iscrizione",
     "Premi il pulsante per non ricevere più e-mail commerciali da {org} a questo indirizzo."},
    "Annulla l’iscrizione",
    {"Iscrizione annullata", "Non riceverai più e-mail commerciali da {org}."},
    "Informativa sulla privacy:",
    {"Link non valido",
     "Questo link di disiscrizione è incompleto o è stato modificato. Usa il link completo presente nel "
     "messaggio ricevuto."},
    {"Riprova più tardi",
     "Non è stato possibile registrare la tua richiesta in questo momento. Riprova tra qualche minuto."},
    {"Pagina non trovata", "Non c’è nulla a questo indirizzo."},
    {"Non consentito", "Questa pagina non accetta questo tipo di richiesta."},
    {"Richiesta troppo grande", "La richiesta inviata a questa pagina è troppo grande."},
};

const Wording& wording(Language language)
{
    switch (language) {
    case Language::fr: return french;
    case Language::nl: return dutch;
    case Language::de: return german;
    case Language::en: return english;
    case Language::es: return spanish;
    case Language::it: return italian;
    }
    return english;
}

const Message& message(const Wording& words, Notice notice)
{
    switch (notice) {
    case Notice::bad_link: return words.bad_link;
    case Notice::retry_later: return words.retry_later;
    case Notice::not_found: return words.not_found;
    case Notice::method_not_allowed: return words.method_not_allowed;
    case Notice::too_large: return words.too_large;
    }
    return words.not_found;
}

std::string with_organisation(std::string_view text, std::string_view organisation)
{
    std::string result(text);
    if (const auto at = result.find("{org}"); at != std::string::npos)
        result.replace(at, 5, "<strong>" + html_escape(organisation) + "</strong>");
    return result;
}

bool is_web_address(std::string_view url)
{
    auto starts_with = [url](std::string_view scheme) {
        if (url.size() <= scheme.size())
            return false;
        for (std::size_t i = 0; i < scheme.size(); ++i) {
            const char c = url[i] >= 'A' && url[i] <= 'Z' ? static_cast<char>(url[i] - 'A' + 'a') : url[i];
            if (c != scheme[i])
                return false;
        }
        return true;
    };
    return starts_with("http://") || starts_with("https://");
}

// A javascript: or data: address would run in our origin if it were a
// link; anything but http(s) is shown as text only.
std::string privacy_line(const Wording& words, std::string_view url)
{
    if (url.empty())
        return {};
    const std::string escaped = html_escape(url);
    std::string line = "<p class=\"small\">" + std::string(words.privacy) + ' ';
    if (is_web_address(url))
        line += "<a href=\"" + escaped + "\" rel=\"noreferrer\">" + escaped + "</a>";
    else
        line += escaped;
    return line + "</p>\n";
}

// Readable on a phone without zooming; system fonts, nothing to fetch.
constexpr std::string_view style =
    "body{font-family:system-ui,-apple-system,\"Segoe UI\",Roboto,sans-serif;line-height:1.5;color:#222;"
    "background:#fff;margin:0;padding:1.5em 1em}"
    "main{max-width:34em;margin:0 auto}"
    "h1{font-size:1.4em;margin:0 0 .8em}"
    "button{font-size:1.1em;padding:.7em 1.6em;border:0;border-radius:.3em;background:#1f4f99;color:#fff;"
    "cursor:pointer}"
    "button:focus{outline:3px solid #f0b400}"
    ".small{font-size:.9em;color:#555;margin-top:2em}";

std::string page(Language language, std::string_view title, const std::string& content)
{
    std::string html;
    html.reserve(1500 + content.size());
    html += "<!DOCTYPE html>\n<html lang=\"";
    html += language_tag(language);
    html += "\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            "<meta name=\"robots\" content=\"noindex, nofollow\">\n<title>";
    html += title;
    html += "</title>\n<style>";
    html += style;
    html += "</style>\n</head>\n<body>\n<main>\n<h1>";
    html += title;
    html += "</h1>\n";
    html += content;
    html += "</main>\n</body>\n</html>\n";
    return html;
}

}  // namespace

std::string html_escape(std::string_view text)
{
    std::string escaped;
    escaped.reserve(text.size());
    for (char c : text) {
        switch (c) {
        case '&': escaped += "&amp;"; break;
        case '<': escaped += "&lt;"; break;
        case '>': escaped += "&gt;"; break;
        case '"': escaped += "&quot;"; break;
        case '\'': escaped += "&#39;"; break;
        default: escaped += c;
        }
    }
    return escaped;
}

std::string confirm_page(Language language, const PageIdentity& identity, std::string_view token)
{
    const Wording& words = wording(language);
    std::string content = "<p>" + with_organisation(words.confirm.text, identity.organisation) + "</p>\n";
    // Relative to the page's own URL (.../u/TOKEN), so the button works
    // whatever path prefix the reverse proxy serves the endpoint under.
    content += "<form method=\"post\" action=\"" + html_escape(token) + "\">\n"
               "<input type=\"hidden\" name=\"List-Unsubscribe\" value=\"One-Click\">\n"
               "<button type=\"submit\">" + std::string(words.button) + "</button>\n</form>\n";
    content += privacy_line(words, identity.privacy_url);
    return page(language, words.confirm.title, content);
}

std::string done_page(Language language, const PageIdentity& identity)
{
    const Wording& words = wording(language);
    std::string content = "<p>" + with_organisation(words.done.text, identity.organisation) + "</p>\n";
    content += privacy_line(words, identity.privacy_url);
    return page(language, words.done.title, content);
}

std::string notice_page(Language language, Notice notice)
{
    const Message& shown = message(wording(language), notice);
    return page(language, shown.title, "<p>" + std::string(shown.text) + "</p>\n");
}

}  // namespace unsubscribe
