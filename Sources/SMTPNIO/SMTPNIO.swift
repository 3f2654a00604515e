import SMTPCore
