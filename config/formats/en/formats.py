# Dates on the site's own pages (`|date`) and in messages written in Python
# (`django.utils.formats.date_format`): "Mar 14, 2026". The admin keeps Django's
# DATETIME_FORMAT.
DATE_FORMAT = "M j, Y"
