package io.vminfo.alarms;

import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLSocketFactory;

/**
 * How the email notifier protects its SMTP session: plain (a local relay), or upgraded with
 * STARTTLS (RFC 3207; the relay's certificate and host name are checked), optionally logging in
 * with AUTH PLAIN (RFC 4954), which is only allowed inside TLS so the password never crosses the
 * network in clear. Immutable; {@link #toString} never shows the password.
 */
public final class SmtpSecurity {
  private static final SmtpSecurity PLAIN = new SmtpSecurity(false, Optional.empty(), null);

  private final boolean startTls;
  private final Optional<Login> login;
  private final SSLSocketFactory tls; // null: the JDK's default trust store

  /** A user name and its password for AUTH PLAIN. */
  public record Login(String user, String password) {
    public Login {
      Objects.requireNonNull(user, "user");
      Objects.requireNonNull(password, "password");
      if (user.isBlank() || user.indexOf('\0') >= 0 || password.indexOf('\0') >= 0) {
        throw new IllegalArgumentException("smtp user must not be blank or hold NUL characters");
      }
    }

    @Override
    public String toString() {
      return "Login[user=" + user + ", password=(hidden)]";
    }
  }

  private SmtpSecurity(boolean startTls, Optional<Login> login, SSLSocketFactory tls) {
    if (login.isPresent() && !startTls) {
      throw new IllegalArgumentException(
          "an smtp login needs STARTTLS: the password would cross the network in clear");
    }
    this.startTls = startTls;
    this.login = login;
    this.tls = tls;
  }

  /** Plain SMTP, no TLS, no login: a relay on this host or a trusted network. */
  public static SmtpSecurity plain() {
    return PLAIN;
  }

  /** STARTTLS required, checked against the JDK's trust store; no mail goes out without it. */
  public static SmtpSecurity startTls() {
    return new SmtpSecurity(true, Optional.empty(), null);
  }

  /** The same, logging in with AUTH PLAIN after the upgrade. */
  public SmtpSecurity withLogin(String user, String password) {
    return new SmtpSecurity(startTls, Optional.of(new Login(user, password)), tls);
  }

  /** Trust decided by {@code factory} instead of the JDK's default (e.g. a private CA). */
  public SmtpSecurity withTls(SSLSocketFactory factory) {
    return new SmtpSecurity(startTls, login, Objects.requireNonNull(factory, "factory"));
  }

  public boolean requiresStartTls() {
    return startTls;
  }

  public Optional<Login> login() {
    return login;
  }

  /** The factory for the TLS upgrade. */
  public SSLSocketFactory tlsFactory() {
    return tls != null ? tls : (SSLSocketFactory) SSLSocketFactory.getDefault();
  }

  @Override
  public String toString() {
    return startTls ? "starttls" + login.map(l -> " login " + l.user()).orElse("") : "plain";
  }
}
