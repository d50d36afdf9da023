//! German for people: with `Accept-Language: de`, a problem's `title`, `detail` and validation
//! messages are German. Machines keep English (the default), and `type`, enum values, field
//! names and pointers stay as they are in either language.
//!
//! The service words its messages once, in English, where they arise; this table gives each
//! message's German form by its shape, so the rules stay where they are and the translations in
//! one place. Tests hold every message they meet to having a German form here.

use std::sync::LazyLock;

use regex::{Captures, Regex};

/// Whether a request's `Accept-Language` prefers German to English (see [`preferred`]).
pub fn preferred_in(headers: &actix_web::http::header::HeaderMap) -> bool {
    preferred(
        headers
            .get(actix_web::http::header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    )
}

/// Whether `Accept-Language` prefers German to English (RFC 9110 § 12.5.4: the highest weight
/// wins, the first on a tie; no header means English).
pub fn preferred(accept_language: Option<&str>) -> bool {
    let Some(header) = accept_language else {
        return false;
    };
    let mut best: Option<(f32, &str)> = None;
    for item in header.split(',') {
        let mut parts = item.split(';').map(str::trim);
        let tag = parts.next().unwrap_or_default();
        let q = parts
            .find_map(|p| p.strip_prefix("q="))
            .and_then(|q| q.parse::<f32>().ok())
            .unwrap_or(1.0);
        if !tag.is_empty() && q > 0.0 && best.is_none_or(|(b, _)| q > b) {
            best = Some((q, tag));
        }
    }
    best.is_some_and(|(_, tag)| {
        tag.split('-')
            .next()
            .is_some_and(|p| p.eq_ignore_ascii_case("de"))
    })
}

/// The German title of a problem kind (the slug of its `type`).
pub fn title(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "not-found" => "Nicht gefunden",
        "conflict" => "Konflikt",
        "precondition-failed" => "Vorbedingung nicht erfüllt",
        "precondition-required" => "Vorbedingung erforderlich",
        "validation" => "Ungültige Anfrage",
        "idempotency-key-reused" => "Idempotency-Key wiederverwendet",
        "unavailable" => "Dienst nicht verfügbar",
        "internal" => "Interner Fehler",
        "unauthenticated" => "Nicht angemeldet",
        "forbidden" => "Nicht erlaubt",
        "bad-request" => "Fehlerhafte Anfrage",
        "unsupported-media-type" => "Nicht unterstützter Medientyp",
        "payload-too-large" => "Anfrage zu groß",
        "method-not-allowed" => "Methode nicht erlaubt",
        "too-many-requests" => "Zu viele Anfragen",
        _ => return None,
    })
}

/// One message shape: its English pattern and how its German form is made from the captures.
struct Rule {
    english: Regex,
    german: fn(&Captures) -> String,
}

fn c<'a>(caps: &'a Captures, i: usize) -> &'a str {
    caps.get(i).map_or("", |m| m.as_str())
}

fn per_unit(unit: &str) -> &'static str {
    match unit {
        "second" => "Sekunde",
        "minute" => "Minute",
        _ => "Stunde",
    }
}

/// A part of a message that is itself a message: translated when it has a German form, else
/// kept (a parser's own words, say).
fn inner(caps: &Captures, i: usize) -> String {
    let text = c(caps, i);
    text_of(text).unwrap_or_else(|| text.to_owned())
}

macro_rules! rules {
    ($($pattern:literal => $german:expr),+ $(,)?) => {
        vec![$(Rule {
            english: Regex::new(concat!("^", $pattern, "$")).expect("a rule's pattern is valid"),
            german: $german,
        }),+]
    };
}

static RULES: LazyLock<Vec<Rule>> = LazyLock::new(|| {
    rules! {
        // The edge: paths, methods, headers, bodies, queries.
        r"There is no such object that you may see\." => |_| "Es gibt kein solches Objekt, das Sie sehen dürfen.".into(),
        r"There is nothing at this path\." => |_| "Unter diesem Pfad gibt es nichts.".into(),
        r"There is no resource at (.+)\." => |m| format!("Unter {} gibt es keine Ressource.", c(m, 1)),
        r"This path supports: (.+)\." => |m| format!("Dieser Pfad unterstützt: {}.", c(m, 1)),
        r"The request body must be (.+)\." => |m| format!("Der Rumpf der Anfrage muss {} sein.", c(m, 1)),
        r"The data must be (.+)\." => |m| format!("Die Daten müssen {} sein.", c(m, 1)),
        r"The request body is larger than (\d+) bytes\." => |m| format!("Der Rumpf der Anfrage ist größer als {} Bytes.", c(m, 1)),
        r"The request body is not valid JSON for this operation: (.+)" => |m| format!("Der Rumpf der Anfrage ist kein gültiges JSON für diese Operation: {}", inner(m, 1)),
        r"The request has 1 invalid field; see `errors`\." => |_| "Die Anfrage hat 1 ungültiges Feld; siehe `errors`.".into(),
        r"The request has (\d+) invalid fields; see `errors`\." => |m| format!("Die Anfrage hat {} ungültige Felder; siehe `errors`.", c(m, 1)),
        r"A query parameter holds the NUL character \(%00\)\." => |_| "Ein Abfrageparameter enthält das NUL-Zeichen (%00).".into(),
        r"A query parameter is invalid: Query deserialize error: (.+)" => |m| format!("Ein Abfrageparameter ist ungültig: {}", inner(m, 1)),
        r"A path parameter is invalid: Path deserialize error: (.+)" => |m| format!("Ein Pfadparameter ist ungültig: {}", inner(m, 1)),
        r"The query is longer than (\d+) bytes\." => |m| format!("Die Abfrage ist länger als {} Bytes.", c(m, 1)),
        r"an XLSX sheet ends at 1 048 576 rows and this export has more: ask for CSV or NDJSON, or narrow it \(`year`, `traeger`, `indicator`\)" => |_| "ein XLSX-Tabellenblatt endet nach 1 048 576 Zeilen, und dieser Export hat mehr: fordern Sie CSV oder NDJSON an oder schränken Sie ihn ein (`year`, `traeger`, `indicator`)".into(),
        r"More than (\d+) requests per (second|minute|hour) (from your address|with this token)\." => |m| format!("Mehr als {} Anfragen pro {} {}.", c(m, 1), per_unit(c(m, 2)), if c(m, 3) == "from your address" { "von Ihrer Adresse" } else { "mit diesem Token" }),
        r"As many exports as this token may run at once \((\d+)\) are running; retry when one has ended\." => |m| format!("Mit diesem Token laufen so viele Exporte, wie es zugleich darf ({}); bitte erneut versuchen, wenn einer beendet ist.", c(m, 1)),
        r"The database is not reachable right now; retry later\." => |_| "Die Datenbank ist gerade nicht erreichbar; bitte später erneut versuchen.".into(),
        r"not ready: (.+)" => |m| format!("nicht bereit: {}", inner(m, 1)),
        r"the database does not answer" => |_| "die Datenbank antwortet nicht".into(),
        r"the identity provider's keys are not loaded yet" => |_| "die Schlüssel des Identitätsanbieters sind noch nicht geladen".into(),
        r"The object has changed since you read it: fetch it again and retry with its new ETag in If-Match\." => |_| "Das Objekt wurde geändert, seit Sie es gelesen haben: lesen Sie es erneut und wiederholen Sie die Anfrage mit dem neuen ETag in If-Match.".into(),
        r"send the ETag you read as If-Match, so that no concurrent change is overwritten" => |_| "senden Sie das gelesene ETag als If-Match, damit keine gleichzeitige Änderung überschrieben wird".into(),
        r"Idempotency-Key must be 1 to 255 printable ASCII characters, e\.g\. a UUID" => |_| "Idempotency-Key muss aus 1 bis 255 druckbaren ASCII-Zeichen bestehen, z. B. einer UUID".into(),
        r"This Idempotency-Key was used before with a different request; use a new key for a new request\." => |_| "Dieser Idempotency-Key wurde schon für eine andere Anfrage verwendet; nehmen Sie für eine neue Anfrage einen neuen Schlüssel.".into(),
        r"The request failed inside the service; the request id is in the log\." => |_| "Die Anfrage ist im Dienst gescheitert; die Request-ID steht im Protokoll.".into(),
        r"The request was refused: (.+)\." => |m| format!("Die Anfrage wurde abgelehnt: {}.", c(m, 1)),
        // A parser's words (serde), as far as they are ours to say.
        r"unknown field `([^`]*)`, expected (.+?)( at line \d+ column \d+)?" => |m| format!("unbekanntes Feld `{}`, erwartet: {}{}", c(m, 1), expected(c(m, 2)), position(c(m, 3))),
        r"unknown variant `([^`]*)`, expected (.+?)( at line \d+ column \d+)?" => |m| format!("unbekannter Wert `{}`, erwartet: {}{}", c(m, 1), expected(c(m, 2)), position(c(m, 3))),
        r"invalid type: (.+?), expected (.+?)( at line \d+ column \d+)?" => |m| format!("falscher Typ: {}, erwartet: {}{}", c(m, 1), c(m, 2), position(c(m, 3))),
        r"EOF while parsing (.+?)( at line \d+ column \d+)?" => |m| format!("unerwartetes Ende beim Lesen ({}){}", c(m, 1), position(c(m, 2))),
        r"expected (.+?)( at line \d+ column \d+)" => |m| format!("erwartet: {}{}", c(m, 1), position(c(m, 2))),
        r"invalid digit found in string" => |_| "ungültige Ziffer im Text".into(),
        r"provided string was not `true` or `false`" => |_| "der Text war weder `true` noch `false`".into(),
        r"can not parse (.+) to a (.+)" => |m| format!("{} ist kein {}", c(m, 1), c(m, 2)),
        // Tokens, roles, scopes.
        r"this operation needs a bearer token" => |_| "diese Operation braucht ein Bearer-Token".into(),
        r"the Authorization header must be `Bearer <token>`" => |_| "der Authorization-Header muss `Bearer <token>` lauten".into(),
        r"the token is not a JWT" => |_| "das Token ist kein JWT".into(),
        r"the token has expired" => |_| "das Token ist abgelaufen".into(),
        r"the token is not valid yet" => |_| "das Token ist noch nicht gültig".into(),
        r"the token's `iat` lies in the future" => |_| "das `iat` des Tokens liegt in der Zukunft".into(),
        r"the token's signature is invalid" => |_| "die Signatur des Tokens ist ungültig".into(),
        r"the token lacks the claim `(.+)`" => |m| format!("dem Token fehlt der Claim `{}`", c(m, 1)),
        r"the token's `(.+)` names none of hmsi, traeger, jobcenter" => |m| format!("`{}` des Tokens nennt keine der Rollen hmsi, traeger, jobcenter", c(m, 1)),
        r"the token's `(.+)` is neither text nor a list" => |m| format!("`{}` des Tokens ist weder Text noch Liste", c(m, 1)),
        r"the token's `(.+)` is not text" => |m| format!("`{}` des Tokens ist kein Text", c(m, 1)),
        r"the token's type `(.*)` is not accepted" => |m| format!("der Typ `{}` des Tokens wird nicht angenommen", c(m, 1)),
        r"the token's claims are malformed" => |_| "die Claims des Tokens sind fehlerhaft".into(),
        r"the token's audience \(`aud`\) is not accepted" => |_| "die Zielgruppe (`aud`) des Tokens wird nicht angenommen".into(),
        r"the token's issuer \(`iss`\) is not accepted" => |_| "der Aussteller (`iss`) des Tokens wird nicht angenommen".into(),
        r"the token's key `(.*)` is unknown" => |m| format!("der Schlüssel `{}` des Tokens ist unbekannt", c(m, 1)),
        r"the token's algorithm (\w+) is not allowed for its key" => |m| format!("der Algorithmus {} des Tokens ist für seinen Schlüssel nicht erlaubt", c(m, 1)),
        r"the token's `sub` is not a name of at most 255 printable characters" => |_| "das `sub` des Tokens ist kein Name aus höchstens 255 druckbaren Zeichen".into(),
        r"the token's `traeger`: (.+)" => |m| format!("`traeger` des Tokens: {}", inner(m, 1)),
        r"a (\w+) token needs the claim `(\w+)`" => |m| format!("ein {}-Token braucht den Claim `{}`", c(m, 1), c(m, 2)),
        r"unknown role `(.*)`" => |m| format!("unbekannte Rolle `{}`", c(m, 1)),
        r"the role `(\w+)` may not do this; allowed: (.+)" => |m| format!("die Rolle `{}` darf das nicht; erlaubt: {}", c(m, 1), c(m, 2)),
        r"this needs the scope `(\w+)` in the token" => |m| format!("dafür braucht das Token den Scope `{}`", c(m, 1)),
        r"the token is bound to no Träger" => |_| "das Token ist an keinen Träger gebunden".into(),
        // Parameters.
        r"`([a-z_]+)`: (.+)" => |m| format!("`{}`: {}", c(m, 1), inner(m, 2)),
        r"`sheet`, `map`, `month` and `data_as_of` are for an XLSX workbook; CSV and JSON give them in their rows" => |_| "`sheet`, `map`, `month` und `data_as_of` gelten für eine XLSX-Arbeitsmappe; CSV und JSON geben sie in ihren Zeilen an".into(),
        r"`(.+)` is not `heading=code`" => |m| format!("`{}` ist nicht `Überschrift=Code`", c(m, 1)),
        r"is not an XLSX workbook \((.+)\)" => |m| format!("ist keine XLSX-Arbeitsmappe ({})", c(m, 1)),
        r"unpacks to more than (\d+) bytes" => |m| format!("entpackt sich auf mehr als {} Bytes", c(m, 1)),
        r"there is no sheet `(.+)`; the workbook has (.*)" => |m| format!("es gibt kein Tabellenblatt `{}`; die Arbeitsmappe hat {}", c(m, 1), c(m, 2)),
        r"the workbook has no sheet" => |_| "die Arbeitsmappe hat kein Tabellenblatt".into(),
        r"the sheet `(.+)` cannot be read \((.+)\)" => |m| format!("das Tabellenblatt `{}` kann nicht gelesen werden ({})", c(m, 1), c(m, 2)),
        r"the workbook cannot be read: (.+)" => |m| format!("die Arbeitsmappe kann nicht gelesen werden: {}", c(m, 1)),
        r"no row names the figures: head the columns with indicator codes \(`k2`\) or name a mapping \(`map=Integrationsquote=k2`\)" => |_| "keine Zeile nennt die Kennzahlen: überschreiben Sie die Spalten mit Indikator-Codes (`k2`) oder nennen Sie eine Zuordnung (`map=Integrationsquote=k2`)".into(),
        r"`after` is not a cursor this service gave out as `next`" => |_| "`after` ist kein Cursor, den dieser Dienst als `next` ausgegeben hat".into(),
        r"`after` must be 0 or a `seq` read before" => |_| "`after` muss 0 oder eine zuvor gelesene `seq` sein".into(),
        r"`limit` must be between (\d+) and (\d+), not (-?\d+)" => |m| format!("`limit` muss zwischen {} und {} liegen, nicht {}", c(m, 1), c(m, 2), c(m, 3)),
        r"`year` \(the version's valid_from\) is required" => |_| "`year` (das valid_from der Version) ist anzugeben".into(),
        r"`(.*)` is not an RFC 3339 time \((.*)\)" => |m| format!("`{}` ist keine Zeit nach RFC 3339 ({})", c(m, 1), c(m, 2)),
        // Field checks.
        r"is required" => |_| "ist anzugeben".into(),
        r"is required to return a submission" => |_| "ist anzugeben, um eine Meldung zurückzugeben".into(),
        r"is required: the data was forwarded, so this is a correction by BA" => |_| "ist anzugeben: die Daten wurden weitergeleitet, dies ist also eine Korrektur der BA".into(),
        r"is required: this duty has no figures, so say how it was met \(e\.g\. the conference attended and when\)" => |_| "ist anzugeben: diese Pflicht hat keine Kennzahlen, also beschreiben Sie, wie sie erfüllt wurde (z. B. welche Tagung wann besucht wurde)".into(),
        r"is listed twice" => |_| "ist doppelt aufgeführt".into(),
        r"`(.*)` is listed twice" => |m| format!("`{}` ist doppelt aufgeführt", c(m, 1)),
        r"must not be empty" => |_| "darf nicht leer sein".into(),
        r"must be at most (\d+) characters" => |m| format!("darf höchstens {} Zeichen lang sein", c(m, 1)),
        r"must not contain the NUL character \(U\+0000\)" => |_| "darf das NUL-Zeichen (U+0000) nicht enthalten".into(),
        r"must be a text" => |_| "muss ein Text sein".into(),
        r"must be a date YYYY-MM-DD" => |_| "muss ein Datum JJJJ-MM-TT sein".into(),
        r"must be 1 or more" => |_| "muss 1 oder größer sein".into(),
        // Webhooks.
        r"must be an https URL" => |_| "muss eine https-URL sein".into(),
        r"must not hold credentials; the signature authenticates the service" => |_| "darf keine Zugangsdaten enthalten; die Signatur weist den Dienst aus".into(),
        r"must name a host" => |_| "muss einen Host nennen".into(),
        r"is not a URL: (.+)" => |m| format!("ist keine URL: {}", c(m, 1)),
        r"leads to (\S+), a loopback, private or link-local address" => |m| format!("führt zu {}, einer Loopback-, privaten oder Link-Local-Adresse", c(m, 1)),
        r"`(.*)` does not resolve: (.+)" => |m| format!("`{}` lässt sich nicht auflösen: {}", c(m, 1), c(m, 2)),
        r"only HMSI chooses a Träger; yours is implied by the token" => |_| "nur das HMSI wählt einen Träger; Ihrer ergibt sich aus dem Token".into(),
        r"more than (\d+) events occurred since then; replay from a later time" => |m| format!("seitdem sind mehr als {} Ereignisse eingetreten; wiederholen Sie ab einem späteren Zeitpunkt", c(m, 1)),
        r"must differ from `(\w+)`" => |m| format!("muss sich von `{}` unterscheiden", c(m, 1)),
        r"must lie in the year of validity, (\d+)" => |m| format!("muss im Geltungsjahr {} liegen", c(m, 1)),
        r"must be 1 to 64 characters of a-z, 0-9 and -, e\.g\. jc-06633" => |_| "muss aus 1 bis 64 Zeichen a-z, 0-9 und - bestehen, z. B. jc-06633".into(),
        r"`(.*)` is not one of: (.+)" => |m| format!("`{}` ist keiner der Werte: {}", c(m, 1), c(m, 2)),
        r"(-?\d+) is not a year between (\d+) and (\d+)" => |m| format!("{} ist kein Jahr zwischen {} und {}", c(m, 1), c(m, 2), c(m, 3)),
        r"`(.*)` is not an AGS: five digits expected, e\.g\. 06633" => |m| format!("`{}` ist kein AGS: fünf Ziffern erwartet, z. B. 06633", c(m, 1)),
        r"`(.*)` is not a Hessian Kreisschlüssel: 064\.\., 065\.\. or 066\.\. expected" => |m| format!("`{}` ist kein hessischer Kreisschlüssel: 064.., 065.. oder 066.. erwartet", c(m, 1)),
        r"`(.*)` is not an indicator code: 2 to 64 of a-z, 0-9 and _, starting with a letter" => |m| format!("`{}` ist kein Kennzahlen-Code: 2 bis 64 Zeichen a-z, 0-9 und _, beginnend mit einem Buchstaben", c(m, 1)),
        r"`(.*)` is not a (submission|reporting body's|transmission|agreement) id, e\.g\. (\S+)" => |m| format!("`{}` ist keine gültige Id, z. B. {}", c(m, 1), c(m, 3)),
        r"`(.*)` is not a whole number ≥ 0" => |m| format!("`{}` ist keine ganze Zahl ≥ 0", c(m, 1)),
        r"`(.*)` is not a whole number" => |m| format!("`{}` ist keine ganze Zahl", c(m, 1)),
        r"`(.*)` is negative" => |m| format!("`{}` ist negativ", c(m, 1)),
        r"`(.*)` is not a non-negative number with at most two decimals, e\.g\. 1250\.50" => |m| format!("`{}` ist keine nicht-negative Zahl mit höchstens zwei Nachkommastellen, z. B. 1250.50", c(m, 1)),
        r"(\S+) lies in the future" => |m| format!("{} liegt in der Zukunft", c(m, 1)),
        // Figures.
        r"`(\w+)` is not asked for by this obligation" => |m| format!("`{}` wird von dieser Pflicht nicht verlangt", c(m, 1)),
        r"`(\w+)` is given twice" => |m| format!("`{}` ist doppelt angegeben", c(m, 1)),
        r"`(\w+)` is missing" => |m| format!("`{}` fehlt", c(m, 1)),
        r"`(\w+)` is not broken down by reporting body" => |m| format!("`{}` wird nicht nach meldenden Stellen aufgeschlüsselt", c(m, 1)),
        r"(\S+) is more than its total `(\w+)` \((\S+)\)" => |m| format!("{} ist mehr als die Gesamtzahl `{}` ({})", c(m, 1), c(m, 2), c(m, 3)),
        r"adds up to (\S+), not to the figure (\S+)" => |m| format!("ergibt in der Summe {}, nicht die Kennzahl {}", c(m, 1), c(m, 2)),
        r"this obligation asks for figures, given in `values`; a confirmation is for a duty without figures" => |_| "diese Pflicht verlangt Kennzahlen in `values`; eine Bestätigung ist für Pflichten ohne Kennzahlen".into(),
        r"give a value or a status, not both" => |_| "geben Sie einen Wert oder einen Status an, nicht beides".into(),
        r"no indicator `(\w+)` is valid in (\d+)" => |m| format!("keine Kennzahl `{}` gilt im Jahr {}", c(m, 1), c(m, 2)),
        // The catalogue.
        r"`(\w+)` is part of this indicator and is measured in (\w+)" => |m| format!("`{}` ist Teil dieser Kennzahl und wird in {} gemessen", c(m, 1), c(m, 2)),
        r"`(\w+)` is, through its totals, part of `(\w+)`: a cycle" => |m| format!("`{}` ist über seine Gesamtzahlen Teil von `{}`: ein Zyklus", c(m, 1), c(m, 2)),
        r"`(\w+)` is measured in (\w+), this indicator in (\w+): a part must have the unit of its total" => |m| format!("`{}` wird in {} gemessen, diese Kennzahl in {}: ein Teil muss die Einheit seiner Gesamtzahl haben", c(m, 1), c(m, 2), c(m, 3)),
        r"`(\w+)` is reported by the Träger, not by BA statistics" => |m| format!("`{}` meldet der Träger, nicht die BA-Statistik", c(m, 1)),
        r"a flow has a reference period: kind `flow`" => |_| "ein Zugang hat einen Bezugszeitraum: Art `flow`".into(),
        r"a quotient is given for each month: kind `monthly`" => |_| "eine Quote wird für jeden Monat angegeben: Art `monthly`".into(),
        r"only a quotient is given for each month: measure `quotient`" => |_| "nur eine Quote wird für jeden Monat angegeben: Messart `quotient`".into(),
        r"a quotient is a `percent` or a `ratio`" => |_| "eine Quote ist ein `percent` oder eine `ratio`".into(),
        r"targets are agreed with a zugelassener kommunaler Träger \(§ 48b Abs\. 1 Satz 1 Nr\. 4 SGB II\); this Träger's Jobcenter is a gemeinsame Einrichtung" => |_| "Ziele werden mit einem zugelassenen kommunalen Träger vereinbart (§ 48b Abs. 1 Satz 1 Nr. 4 SGB II); das Jobcenter dieses Trägers ist eine gemeinsame Einrichtung".into(),
        r"a target needs an indicator with numbers, not a text" => |_| "ein Ziel braucht eine Kennzahl mit Zahlen, keinen Text".into(),
        r"`(.*)` is not a month YYYY-MM or a year YYYY" => |m| format!("`{}` ist kein Monat JJJJ-MM und kein Jahr JJJJ", c(m, 1)),
        r"has a target already" => |_| "hat schon ein Ziel".into(),
        r"`(.*)` is not a date YYYY-MM-DD" => |m| format!("`{}` ist kein Datum JJJJ-MM-TT", c(m, 1)),
        r"a percent or a ratio is a quotient: measure `quotient`" => |_| "ein Prozentwert oder ein Verhältnis ist eine Quote: Messart `quotient`".into(),
        r"is required: a Kennzahl is given for each month" => |_| "ist anzugeben: eine Kennzahl wird für jeden Monat angegeben".into(),
        r"must be left out: this figure is for the whole year" => |_| "ist wegzulassen: diese Zahl gilt für das ganze Jahr".into(),
        r"is required: every Kennzahl carries BA's Datenstand" => |_| "ist anzugeben: jede Kennzahl trägt den Datenstand der BA".into(),
        r"must lie in the transmission's year, (\d+)" => |m| format!("muss im Jahr der Übermittlung liegen, {}", c(m, 1)),
        r"`(.*)` is not a month YYYY-MM" => |m| format!("`{}` ist kein Monat JJJJ-MM", c(m, 1)),
        r"Träger (\d{5}) and `(\w+)` of (\d{4}-\d{2}) are given twice, first at (\S+)" => |m| format!("Träger {} und `{}` für {} sind doppelt angegeben, zuerst bei {}", c(m, 1), c(m, 2), c(m, 3), c(m, 4)),
        r"`format`: this report has no chart; ask for json, csv or xlsx" => |_| "`format`: dieser Bericht hat kein Diagramm; fordern Sie json, csv oder xlsx an".into(),
        r"`to` must lie between `from` and (\d+) years after it" => |m| format!("`to` muss zwischen `from` und {} Jahren danach liegen", c(m, 1)),
        r"must be a percentage with at most (\d+) decimals, e\.g\. -7\.25" => |m| format!("muss ein Prozentwert mit höchstens {} Nachkommastellen sein, z. B. -7.25", c(m, 1)),
        r"must be a ratio with at most (\d+) decimals, e\.g\. 0\.9725" => |m| format!("muss ein Verhältnis mit höchstens {} Nachkommastellen sein, z. B. 0.9725", c(m, 1)),
        r"`(.*)` is not a percentage with at most (\d+) decimals, e\.g\. -7\.25" => |m| format!("`{}` ist kein Prozentwert mit höchstens {} Nachkommastellen, z. B. -7.25", c(m, 1), c(m, 2)),
        r"`(.*)` is not a ratio with at most (\d+) decimals, e\.g\. 0\.9725" => |m| format!("`{}` ist kein Verhältnis mit höchstens {} Nachkommastellen, z. B. 0.9725", c(m, 1), c(m, 2)),
        r"indicator `(\w+)` has a version valid from (\d+) already; change it with PUT" => |m| format!("die Kennzahl `{}` hat schon eine ab {} gültige Version; ändern Sie sie mit PUT", c(m, 1), c(m, 2)),
        r"indicator `(\w+)` valid from (\d+) is part of a signed agreement, so it is never changed in place: create a new version with POST for the year from which the new definition applies" => |m| format!("die ab {} gültige Kennzahl `{}` ist Teil einer unterzeichneten Vereinbarung und wird nie an Ort und Stelle geändert: legen Sie mit POST eine neue Version ab dem Jahr an, ab dem die neue Definition gilt", c(m, 2), c(m, 1)),
        r"indicator `(\w+)` valid from (\d+) has reported values, so it is never changed in place: create a new version with POST for the year from which the new definition applies" => |m| format!("für die ab {} gültige Kennzahl `{}` wurden Werte gemeldet, sie wird nie an Ort und Stelle geändert: legen Sie mit POST eine neue Version ab dem Jahr an, ab dem die neue Definition gilt", c(m, 2), c(m, 1)),
        // The registry.
        r"Träger (\d{5}) exists already" => |m| format!("Träger {} gibt es schon", c(m, 1)),
        r"Jobcenter `(.*)` already belongs to Träger (\d{5})" => |m| format!("Jobcenter `{}` gehört schon zu Träger {}", c(m, 1), c(m, 2)),
        r"there is no Träger (\S+)" => |m| format!("es gibt keinen Träger {}", c(m, 1)),
        r"another reporting body of the Träger has this name" => |_| "eine andere meldende Stelle des Trägers trägt diesen Namen".into(),
        // Agreements.
        r"Träger (\d{5}) has an agreement for (\d+) already: (.+); to change a signed one, create a draft with `copy_from` set to it" => |m| format!("Träger {} hat schon eine Vereinbarung für {}: {}; um eine unterzeichnete zu ändern, legen Sie einen Entwurf mit `copy_from` auf sie an", c(m, 1), c(m, 2), c(m, 3)),
        r"agreement (\S+) is (\w+) and signed texts never change: create a new draft with `copy_from` set to it, which supersedes it once in force" => |m| format!("die Vereinbarung {} ist {}, und unterzeichnete Texte ändern sich nie: legen Sie einen neuen Entwurf mit `copy_from` auf sie an, der sie ablöst, sobald er in Kraft ist", c(m, 1), c(m, 2)),
        r"agreement (\S+) is (\w+): figures are delivered under an agreement in force" => |m| format!("die Vereinbarung {} ist {}: Kennzahlen werden unter einer Vereinbarung in Kraft geliefert", c(m, 1), c(m, 2)),
        r"agreement (\S+) is (\w+): only a draft nobody signed is discarded; a signed one stays on record \(supersede it with a new draft `copy_from` it\)" => |m| format!("die Vereinbarung {} ist {}: nur ein von niemandem unterzeichneter Entwurf wird verworfen; eine unterzeichnete bleibt erhalten (lösen Sie sie mit einem neuen Entwurf mit `copy_from` ab)", c(m, 1), c(m, 2)),
        r"agreement (\S+) is signed for (\w+) already" => |m| format!("die Vereinbarung {} ist für {} schon unterzeichnet", c(m, 1), c(m, 2)),
        r"agreement (\S+) is superseded" => |m| format!("die Vereinbarung {} ist abgelöst", c(m, 1)),
        r"a `reporting` agreement has no targets; use kind `targets`" => |_| "eine Vereinbarung der Art `reporting` hat keine Ziele; nehmen Sie die Art `targets`".into(),
        r"there is no agreement `(.*)`" => |m| format!("es gibt keine Vereinbarung `{}`", c(m, 1)),
        r"there is no template for (\d+): roll over last year's agreements instead" => |m| format!("für {} gibt es keine Vorlage: übertragen Sie stattdessen die Vereinbarungen des Vorjahres", c(m, 1)),
        r"there is no template for (\d+): name an agreement to copy in `copy_from`" => |m| format!("für {} gibt es keine Vorlage: nennen Sie in `copy_from` eine zu kopierende Vereinbarung", c(m, 1)),
        // Submissions.
        r"there is no obligation `(.*)` that you deliver" => |m| format!("es gibt keine Pflicht `{}`, die Sie erfüllen", c(m, 1)),
        r"HMSI delivers this obligation, not the Träger" => |_| "diese Pflicht erfüllt das HMSI, nicht der Träger".into(),
        r"submission (\S+) exists for this obligation: edit its draft, or open a correction" => |m| format!("für diese Pflicht gibt es die Meldung {}: bearbeiten Sie ihren Entwurf oder eröffnen Sie eine Korrektur", c(m, 1)),
        r"revision (\d+) of (\S+) is (\w+) and never changes: open a correction to change the figures" => |m| format!("Revision {} von {} ist {} und ändert sich nie: eröffnen Sie eine Korrektur, um die Kennzahlen zu ändern", c(m, 1), c(m, 2), c(m, 3)),
        r"revision (\d+) of (\S+) is (\w+) and never changes: wait for HMSI's review" => |m| format!("Revision {} von {} ist {} und ändert sich nie: warten Sie die Prüfung durch das HMSI ab", c(m, 1), c(m, 2), c(m, 3)),
        r"revision (\d+) of (\S+) is (\w+) and never changes: (.+)" => |m| format!("Revision {} von {} ist {} und ändert sich nie: {}", c(m, 1), c(m, 2), c(m, 3), c(m, 4)),
        r"revision (\d+) of (\S+) is (\w+): only a draft is submitted" => |m| format!("Revision {} von {} ist {}: nur ein Entwurf wird eingereicht", c(m, 1), c(m, 2), c(m, 3)),
        r"revision (\d+) of (\S+) is (\w+): only a draft is discarded" => |m| format!("Revision {} von {} ist {}: nur ein Entwurf wird verworfen", c(m, 1), c(m, 2), c(m, 3)),
        r"revision (\d+) of (\S+) is (\w+): only a submitted revision is reviewed" => |m| format!("Revision {} von {} ist {}: geprüft wird nur eine eingereichte Revision", c(m, 1), c(m, 2), c(m, 3)),
        r"revision (\d+) of (\S+) is a draft already: edit it" => |m| format!("Revision {} von {} ist schon ein Entwurf: bearbeiten Sie ihn", c(m, 1), c(m, 2)),
        r"the (\w+) is no recipient of this obligation" => |m| format!("{} ist kein Empfänger dieser Pflicht", c(m, 1)),
        r"(\S+) has not been submitted yet" => |m| format!("{} ist noch nicht eingereicht", c(m, 1)),
        r"there is no revision (\d+)" => |m| format!("es gibt keine Revision {}", c(m, 1)),
        r"revision (\d+) is (\w+), not delivered" => |m| format!("Revision {} ist {}, nicht geliefert", c(m, 1), c(m, 2)),
        r"the (\w+) confirmed receipt of revision (\d+) already" => |m| format!("{} hat den Eingang von Revision {} schon bestätigt", c(m, 1), c(m, 2)),
        r"names no submission" => |_| "nennt keine Meldung".into(),
        r"at most (\d+) in one call" => |m| format!("höchstens {} in einem Aufruf", c(m, 1)),
        r"at most (\d+) Träger in one call" => |m| format!("höchstens {} Träger in einem Aufruf", c(m, 1)),
        // BA statistics.
        r"(\S+) has no data from BA yet" => |m| format!("{} hat noch keine Daten der BA", c(m, 1)),
        r"(\S+) has data from BA already: a request BA answered stays on record" => |m| format!("{} hat schon Daten der BA: eine beantwortete Anfrage bleibt erhalten", c(m, 1)),
        r"version (\d+) of (\S+) is forwarded already" => |m| format!("Version {} von {} ist schon weitergeleitet", c(m, 1), c(m, 2)),
        r"nothing of (\S+) was forwarded" => |m| format!("von {} wurde nichts weitergeleitet", c(m, 1)),
        r"Träger (\d{5}) acknowledged version (\d+) of (\S+) already" => |m| format!("Träger {} hat Version {} von {} schon bestätigt", c(m, 1), c(m, 2), c(m, 3)),
        r"Träger (\d{5}) and `(\w+)` are given twice, first at (\S+)" => |m| format!("Träger {} und `{}` sind doppelt angegeben, zuerst bei {}", c(m, 1), c(m, 2), c(m, 3)),
        r"`(\w+)` is not part of this transmission" => |m| format!("`{}` gehört nicht zu dieser Übermittlung", c(m, 1)),
        r"has (\d+) columns, the header (\d+)" => |m| format!("hat {} Spalten, die Kopfzeile {}", c(m, 1), c(m, 2)),
        r"the CSV is empty: a header `(.*)` is expected" => |m| format!("die CSV-Datei ist leer: eine Kopfzeile `{}` wird erwartet", c(m, 1)),
        r"the CSV is not UTF-8 \(byte (\d+)\)" => |m| format!("die CSV-Datei ist kein UTF-8 (Byte {})", c(m, 1)),
        r"the header is `(.*)`; expected `(.*)` \(and optionally (.+)\), each once" => |m| format!("die Kopfzeile ist `{}`; erwartet wird `{}` (und wahlweise {}), jede Spalte einmal", c(m, 1), c(m, 2), c(m, 3)),
        r"too many errors: the first (\d+) are listed; correct them and send again" => |m| format!("zu viele Fehler: die ersten {} sind aufgeführt; korrigieren Sie sie und senden Sie erneut", c(m, 1)),
    }
});

/// "one of `a`, `b`" or "`a` or `b`", as a list.
fn expected(list: &str) -> String {
    list.trim_start_matches("one of ").replace(" or ", " oder ")
}

fn position(at: &str) -> String {
    let digits: Vec<&str> = at.split(' ').filter(|w| w.parse::<u32>().is_ok()).collect();
    match digits.as_slice() {
        [line, column] => format!(" in Zeile {line}, Spalte {column}"),
        _ => String::new(),
    }
}

/// The German form of a message, if it has one.
pub fn text_of(english: &str) -> Option<String> {
    RULES
        .iter()
        .find_map(|r| r.english.captures(english).map(|caps| (r.german)(&caps)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn german_is_chosen_only_when_preferred() {
        assert!(preferred(Some("de")));
        assert!(preferred(Some("de-DE,de;q=0.9,en;q=0.8")));
        assert!(preferred(Some("en;q=0.5, de")));
        assert!(!preferred(Some("en-US,en;q=0.9,de;q=0.8")));
        assert!(!preferred(Some("de;q=0, en")));
        assert!(!preferred(Some("*")));
        assert!(!preferred(None));
    }

    #[test]
    fn messages_are_translated_by_their_shape_and_parts_within_them() {
        assert_eq!(
            text_of("`traeger`: `6633` is not an AGS: five digits expected, e.g. 06633").unwrap(),
            "`traeger`: `6633` ist kein AGS: fünf Ziffern erwartet, z. B. 06633"
        );
        assert_eq!(
            text_of("A query parameter is invalid: Query deserialize error: unknown variant `late`, expected `json` or `csv`").unwrap(),
            "Ein Abfrageparameter ist ungültig: unbekannter Wert `late`, erwartet: `json` oder `csv`"
        );
        assert_eq!(
            text_of("The request body is not valid JSON for this operation: unknown field `agz`, expected one of `ags`, `name` at line 1 column 6").unwrap(),
            "Der Rumpf der Anfrage ist kein gültiges JSON für diese Operation: unbekanntes Feld `agz`, erwartet: `ags`, `name` in Zeile 1, Spalte 6"
        );
        assert_eq!(text_of("is required").unwrap(), "ist anzugeben");
        assert_eq!(text_of("something new"), None);
    }
}
