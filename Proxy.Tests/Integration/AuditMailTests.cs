using System.Buffers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Proxy.Actors.Audit.CertGen;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Protocols.Ftp;
using Proxy.Actors.Protocols.Socks;
using Proxy.Tests.Audit;

namespace Proxy.Tests.Integration;

/// <summary>
/// smtp_interception through a SOCKS tunnel with real parts: an SMTP server written for the test
/// (STARTTLS with a certificate from the origin CA), the project's certificate generator, and a client
/// that trusts only the generator's CA once TLS starts.
/// </summary>
[Collection(NodeCollection.Name)]
public sealed class AuditMailTests : AuditTestBase
{
    private static async Task<Socks5TestClient> TunnelAsync(ProxyUnderTest proxy, int port)
    {
        var socks = await Socks5TestClient.ConnectAsync(proxy.Endpoint("socks"));
        await socks.GreetAsync();
        var reply = await socks.RequestAsync(Socks5Command.Connect, new UpstreamAddr("127.0.0.1", port));
        Assert.Equal(Socks5ReplyCode.Succeeded, reply.Code);
        return socks;
    }

    private static Task<FtpReply> GreetingAsync(Socks5TestClient socks) =>
        socks.ReadAsync(static (in ReadOnlySequence<byte> b) => FtpReplyParser.Parse(b, 4096, 64));

    /// <summary>
    /// An SMTP session through the SOCKS tunnel up to EHLO inside STARTTLS, checking on the way what g3's
    /// interception shows: the EHLO filter, the proxy's certificate (the client trusts the generator's CA only).
    /// </summary>
    private async Task<MailSession> SmtpInsideStartTlsAsync(ProxyUnderTest proxy, int port)
    {
        var socks = await TunnelAsync(proxy, port);
        Assert.Equal(220, (await GreetingAsync(socks)).Code);
        var plain = new LineConversation(socks.Stream);
        await plain.SendAsync("EHLO client.test\r\n");
        var ehlo = await plain.ReplyAsync();
        Assert.Contains("250-STARTTLS", ehlo);
        Assert.DoesNotContain("ENHANCEDSTATUSCODES", ehlo); // g3's EHLO filter
        await plain.SendAsync("STARTTLS\r\n");
        Assert.StartsWith("220 ", await plain.ReplyAsync());

        X509Certificate2? seen = null;
        var tls = new SslStream(socks.Stream, leaveInnerStreamOpen: true);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            // the session is the proxy's, not the server's
            RemoteCertificateValidationCallback = (_, cert, _, _) => cert is not null && InterceptionCa.Chains(seen = new X509Certificate2(cert)),
        });
        Assert.NotNull(seen);
        var c = new LineConversation(tls);
        await c.SendAsync("EHLO client.test\r\n");
        Assert.DoesNotContain("STARTTLS", await c.ReplyAsync());
        return new MailSession(socks, tls, c);
    }

    /// <summary>MAIL FROM alice, RCPT TO each recipient, DATA: each accepted.</summary>
    private static async Task BeginMailAsync(LineConversation c, params string[] recipients)
    {
        foreach (var command in recipients.Select(r => $"RCPT TO:<{r}>").Prepend("MAIL FROM:<alice@example.test>"))
        {
            await c.SendAsync(command + "\r\n");
            Assert.StartsWith("250", await c.ReplyAsync());
        }
        await c.SendAsync("DATA\r\n");
        Assert.StartsWith("354", await c.ReplyAsync());
    }

    /// <summary>A client session inside TLS through the tunnel; disposing it ends both.</summary>
    private sealed record MailSession(Socks5TestClient Socks, SslStream Tls, LineConversation Conversation) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Tls.DisposeAsync();
            await Socks.DisposeAsync();
        }
    }

    [Fact]
    public async Task SmtpWithStartTls_ThroughSocks_IsIntercepted_TheMailArrivesIntact_AndTheTransactionIsLogged()
    {
        await using var smtp = TestSmtpServer.Start(OriginCerts.ServerCertificate);
        await using var proxy = await StartAsync();
        await using var session = await SmtpInsideStartTlsAsync(proxy, smtp.Port);
        var c = session.Conversation;
        await BeginMailAsync(c, "bob@example.test");
        const string mail = "Subject: through the proxy\r\n\r\nfirst line\r\n..a dot-stuffed line\r\n.\r\n";
        await c.SendAsync(mail);
        Assert.StartsWith("250", await c.ReplyAsync());
        await c.SendAsync("QUIT\r\n");
        Assert.StartsWith("221", await c.ReplyAsync());

        Assert.True(smtp.Mails.TryDequeue(out var received));
        Assert.Equal(mail[..^3], received); // byte for byte, dot-stuffing included, up to the terminator
        Assert.Contains(smtp.Commands, x => x.Tls && x.Line == "MAIL FROM:<alice@example.test>"); // the server got it inside its own TLS
        var line = Assert.Single(await proxy.WaitForLogAsync(l => l.Contains("intercept_type=SmtpTransaction")));
        Assert.Contains("mail_from=alice@example.test", line);
        Assert.Contains("mail_to=bob@example.test", line);
        Assert.Contains("rsp_code=250", line);
        Assert.Contains("depth=1", line);
        Assert.Single(await proxy.WaitForLogAsync(l => l.Contains("intercept_type=TlsHandshake") && l.Contains("tls_name=localhost")));
    }

    [Fact]
    public async Task SmtpDataThroughIcap_AsG3ConvertsIt_ARewrittenMailArrives_AForbiddenOneGets421AndNeverArrives()
    {
        // The ICAP server offers a preview: g3 sends mail without one all the same.
        await using var icap = new ScriptedIcapServer(preview: 1024);
        await using var smtp = TestSmtpServer.Start(OriginCerts.ServerCertificate);
        await using var proxy = await StartAsync($"    icap_reqmod_service: {{ url: icap://127.0.0.1:{icap.Port}/mail }}");
        await using var session = await SmtpInsideStartTlsAsync(proxy, smtp.Port);
        var c = session.Conversation;

        await BeginMailAsync(c, "bob@example.test", "carol@example.test");
        await c.SendAsync("Subject: one\r\n\r\nplease rewrite-me\r\n..a dot-stuffed line\r\n.\r\n");
        Assert.StartsWith("250", await c.ReplyAsync());

        await BeginMailAsync(c, "bob@example.test");
        await c.SendAsync("Subject: two\r\n\r\nsomething forbidden\r\n.\r\n");
        Assert.Equal("421 [127.0.0.1] Service not available, message blocked: ICAP Response 403 Forbidden\r\n", await c.ReplyAsync());

        var task = Assert.Single(await proxy.WaitForLogAsync(l => l.Contains("log_type=Task") && l.Contains("task_type=TcpConnect")));
        Assert.Contains("blocked by icap server: 403 - Forbidden", task);
        // The server got the rewritten first mail, dot-stuffed again; of the second it saw DATA but never the mail's end.
        Assert.Equal(["Subject: one\r\n\r\nplease rewritten\r\n..a dot-stuffed line\r\n"], smtp.Mails.ToArray());
        Assert.Equal(2, smtp.Commands.Count(x => x.Line == "DATA"));
        var seen = icap.Requests.ToArray();
        Assert.Equal(2, seen.Length);
        Assert.StartsWith($"REQMOD icap://127.0.0.1:{icap.Port}/mail ICAP/1.0\r\n", seen[0].Head);
        Assert.Contains("X-Transformed-From: SMTP\r\n", seen[0].Head);
        Assert.Contains("X-Client-IP: 127.0.0.1\r\n", seen[0].Head);
        Assert.DoesNotContain("Preview:", seen[0].Head);
        Assert.Equal("PUT / HTTP/1.1\r\nContent-Type: message/rfc822\r\nX-SMTP-From: alice@example.test\r\nX-SMTP-To: bob@example.test\r\nX-SMTP-To: carol@example.test\r\n\r\n",
            seen[0].HttpHeads);
        Assert.Equal("Subject: one\r\n\r\nplease rewrite-me\r\n.a dot-stuffed line\r\n", seen[0].Body); // the mail, not its DATA encoding
        Assert.Equal("Subject: two\r\n\r\nsomething forbidden\r\n", seen[1].Body);
    }

    [Fact]
    public async Task SmtpBlockedByPolicy_TheClientGets554_AndTheTaskEndsForbidden()
    {
        await using var smtp = TestSmtpServer.Start(OriginCerts.ServerCertificate);
        await using var proxy = await StartAsync("    smtp_inspect_policy: block\n    smtp_interception: {greeting_timeout: 10s}");
        await using var socks = await TunnelAsync(proxy, smtp.Port);

        var (closed, received) = await socks.WaitClosedAsync(TimeSpan.FromSeconds(20));

        Assert.True(closed);
        Assert.StartsWith("554 ", System.Text.Encoding.ASCII.GetString(received));
        var task = Assert.Single(await proxy.WaitForLogAsync(l => l.Contains("log_type=Task") && l.Contains("task_type=TcpConnect")));
        Assert.Contains("reason=ForbiddenByRule", task);
    }

    /// <summary>An IMAP session through the SOCKS tunnel, logged in inside STARTTLS (the client trusts the generator's CA only).</summary>
    private async Task<MailSession> ImapInsideStartTlsAsync(ProxyUnderTest proxy, int port)
    {
        var socks = await TunnelAsync(proxy, port);
        var greeting = await socks.ReadAsync(static (in ReadOnlySequence<byte> b) => Proxy.Actors.Audit.Inspect.PipeMessageReader.Line(b, 4096));
        Assert.True(greeting > 0);
        var plain = new LineConversation(socks.Stream);
        await plain.SendAsync("a1 CAPABILITY\r\n");
        Assert.Contains("STARTTLS", await plain.ReadUntilAsync("a1 OK done\r\n"));
        await plain.SendAsync("a2 STARTTLS\r\n");
        Assert.StartsWith("a2 OK", await plain.ReadLineAsync());

        var tls = new SslStream(socks.Stream, leaveInnerStreamOpen: true);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            RemoteCertificateValidationCallback = (_, cert, _, _) => cert is not null && InterceptionCa.Chains(new X509Certificate2(cert)),
        });
        var c = new LineConversation(tls);
        await c.SendAsync("a3 LOGIN alice secret\r\n");
        Assert.StartsWith("a3 OK", await c.ReadLineAsync());
        return new MailSession(socks, tls, c);
    }

    [Fact]
    public async Task ImapAppendThroughIcap_AsG3ConvertsIt_AnAcceptedMessageArrives_AForbiddenOneGetsBadAndBye()
    {
        await using var icap = new ScriptedIcapServer();
        await using var imap = TestImapServer.Start(OriginCerts.ServerCertificate);
        await using var proxy = await StartAsync($"    icap_reqmod_service: {{ url: icap://127.0.0.1:{icap.Port}/mail }}");
        await using var session = await ImapInsideStartTlsAsync(proxy, imap.Port);
        var c = session.Conversation;

        const string accepted = "Subject: fine\r\n\r\nan ordinary message\r\n";
        await c.SendAsync($"a4 APPEND INBOX {{{accepted.Length}}}\r\n");
        Assert.StartsWith("+ ", await c.ReadLineAsync());
        await c.SendAsync(accepted + "\r\n");
        Assert.StartsWith("a4 OK", await c.ReadLineAsync());
        const string refused = "Subject: bad\r\n\r\nsomething forbidden\r\n";
        await c.SendAsync($"a5 APPEND INBOX {{{refused.Length}}}\r\n");
        Assert.StartsWith("+ ", await c.ReadLineAsync());
        await c.SendAsync(refused + "\r\n");

        Assert.Equal("a5 BAD the message is blocked\r\n", await c.ReadLineAsync());
        Assert.Equal("* BYE Blocked; connection not allowed\r\n", await c.ReadLineAsync());
        var task = Assert.Single(await proxy.WaitForLogAsync(l => l.Contains("log_type=Task") && l.Contains("task_type=TcpConnect")));
        Assert.Contains("blocked by icap server: 403 - Forbidden", task);
        Assert.Equal([accepted], imap.Appended.ToArray());
        var seen = icap.Requests.ToArray();
        Assert.Equal(2, seen.Length);
        Assert.Contains("X-Transformed-From: IMAP\r\n", seen[0].Head);
        Assert.Equal($"PUT / HTTP/1.1\r\nContent-Type: message/rfc822\r\nContent-Length: {accepted.Length}\r\n\r\n", seen[0].HttpHeads);
        Assert.Equal(accepted, seen[0].Body);
        Assert.Equal(refused, seen[1].Body);
    }

    [Fact]
    public async Task ImapWithStartTls_ThroughSocks_IsIntercepted_AppendAndFetchLiteralsPassIntact()
    {
        await using var imap = TestImapServer.Start(OriginCerts.ServerCertificate);
        await using var proxy = await StartAsync();
        await using var session = await ImapInsideStartTlsAsync(proxy, imap.Port);
        var c = session.Conversation;
        const string message = "Subject: imap through the proxy\r\n\r\nline with a {7} inside\r\na3 OK looks like a reply\r\n";
        await c.SendAsync($"a4 APPEND INBOX {{{message.Length}}}\r\n");
        Assert.StartsWith("+ ", await c.ReadLineAsync());
        await c.SendAsync(message + "\r\n");
        Assert.StartsWith("a4 OK", await c.ReadLineAsync());
        await c.SendAsync("a5 FETCH 1 BODY[]\r\n");
        var fetched = await c.ReadUntilAsync("a5 OK FETCH completed\r\n");
        await c.SendAsync("a6 LOGOUT\r\n");
        Assert.Contains("a6 OK", await c.ReadUntilAsync("a6 OK LOGOUT completed\r\n"));

        Assert.True(imap.Appended.TryDequeue(out var appended));
        Assert.Equal(message, appended);
        Assert.Contains(message, fetched);
        Assert.Contains(imap.Commands, x => x.Tls && x.Line == "a3 LOGIN alice secret");
        var lines = await proxy.WaitForLogAsync(l => l.Contains("intercept_type=ImapConnection") && l.Contains("depth=1"));
        Assert.True(lines.Length == 1, proxy.TaskLog.ToString());
        var line = lines[0];
        Assert.Contains("client_logout=true", line);
        Assert.Contains("server_bye=true", line);
    }
}
