"""The words of every mail, in Danish and English: a subject, paragraphs, a button and a footer.

`{name}`, `{url}` and the other fields are filled in by api.services.mail.render; values are
escaped for the HTML part. Adding a kind means adding it in both languages (a test checks).
"""

from __future__ import annotations

# What both invitations say (with a password to choose, or with single sign-on).
_INVITED: dict[str, dict] = {
    "en": {
        "subject": "You are invited to Stafet",
        "intro": ["Hi {name},", "You have been invited to Stafet, where you find our stories to share and see what "
                                "your colleagues share."],
        "footer": "If you did not expect this invitation, you can ignore this mail.",
    },
    "da": {
        "subject": "Du er inviteret til Stafet",
        "intro": ["Hej {name}", "Du er blevet inviteret til Stafet, hvor du finder vores historier til deling og ser, "
                                "hvad dine kolleger deler."],
        "footer": "Hvis du ikke ventede denne invitation, kan du se bort fra denne mail.",
    },
}

TEMPLATES: dict[str, dict[str, dict[str, object]]] = {
    "invitation": {
        "en": {
            "subject": _INVITED["en"]["subject"],
            "paragraphs": [*_INVITED["en"]["intro"],
                           "Choose your password with the button below. The link works once and until {expires}."],
            "button": "Choose your password",
            "footer": _INVITED["en"]["footer"],
        },
        "da": {
            "subject": _INVITED["da"]["subject"],
            "paragraphs": [*_INVITED["da"]["intro"],
                           "Vælg din adgangskode med knappen herunder. Linket virker én gang og indtil {expires}."],
            "button": "Vælg din adgangskode",
            "footer": _INVITED["da"]["footer"],
        },
    },
    # The invitation when passwords are off (PASSWORD_LOGIN=off): single sign-on, no password to choose.
    "invitation_sso": {
        "en": {
            "subject": _INVITED["en"]["subject"],
            "paragraphs": [*_INVITED["en"]["intro"],
                           "Sign in with your company account (company sign-in) with the button below; there is no "
                           "separate password to choose. Use the account of this email address."],
            "button": "Sign in with your company account",
            "footer": _INVITED["en"]["footer"],
        },
        "da": {
            "subject": _INVITED["da"]["subject"],
            "paragraphs": [*_INVITED["da"]["intro"],
                           "Log ind med din firmakonto (virksomhedens login) med knappen herunder; der er ingen "
                           "særskilt adgangskode at vælge. Brug kontoen til denne mailadresse."],
            "button": "Log ind med din firmakonto",
            "footer": _INVITED["da"]["footer"],
        },
    },
    "password_reset": {
        "en": {
            "subject": "Reset your Stafet password",
            "paragraphs": [
                "Hi {name},",
                "Someone (hopefully you) asked to reset the password of your Stafet account.",
                "Choose a new password with the button below. The link works once, for {minutes} minutes. "
                "Choosing a new password signs you out on your other devices.",
            ],
            "button": "Choose a new password",
            "footer": "If you did not ask for this, ignore this mail: your password stays as it is.",
        },
        "da": {
            "subject": "Nulstil din adgangskode til Stafet",
            "paragraphs": [
                "Hej {name}",
                "Nogen (forhåbentlig dig) har bedt om at nulstille adgangskoden til din Stafet-konto.",
                "Vælg en ny adgangskode med knappen herunder. Linket virker én gang i {minutes} minutter. "
                "Når du vælger en ny adgangskode, bliver du logget ud på dine andre enheder.",
            ],
            "button": "Vælg en ny adgangskode",
            "footer": "Hvis du ikke har bedt om dette, kan du se bort fra mailen: din adgangskode er uændret.",
        },
    },
    # For join requests a lead approved (point 5 of issue 17), when the person gave an email.
    "join_approved": {
        "en": {
            "subject": "Welcome to Stafet",
            "paragraphs": ["Hi {name},", "Your request to join {team} has been approved. You can sign in now."],
            "button": "Open Stafet",
            "footer": "",
        },
        "da": {
            "subject": "Velkommen til Stafet",
            "paragraphs": ["Hej {name}", "Din anmodning om at blive en del af {team} er godkendt. Du kan logge "
                           "ind nu."],
            "button": "Åbn Stafet",
            "footer": "",
        },
    },
}
