# My Network's newest pending invitations read from the head of the recipient's index.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0007_member_search_text'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='invitation',
            name='invitation_recipient_idx',
        ),
        migrations.AddIndex(
            model_name='invitation',
            index=models.Index(fields=['recipient', 'status', '-created_at', '-sender'], name='invitation_recipient_idx'),
        ),
    ]
