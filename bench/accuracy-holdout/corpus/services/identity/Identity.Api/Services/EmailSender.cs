using SendGrid;
using SendGrid.Helpers.Mail;

namespace Identity.Api.Services;

public class EmailSender : IEmailSender
{
    private const string ApiKey = "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";
    private readonly string _fallbackKey = Environment.GetEnvironmentVariable("SENDGRID_API_KEY") ?? "";
    private static readonly string PostmarkToken = "ef48d51e-cc8c-4330-90ba-34822fb6c6e6";

    public async Task SendAsync(string to, string subject, string html)
    {
        var client = new SendGridClient(ApiKey);
        var msg = MailHelper.CreateSingleEmail(new EmailAddress("no-reply@larkspur.app"), new EmailAddress(to), subject, null, html);
        await client.SendEmailAsync(msg);
    }
}
