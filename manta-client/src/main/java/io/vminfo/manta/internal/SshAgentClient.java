package io.vminfo.manta.internal;

import io.vminfo.manta.MantaKeyException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The client side of the ssh-agent protocol (draft-miller-ssh-agent): list identities and sign. One
 * connection per call, each bounded by a timeout, through JDK Unix domain sockets.
 */
public final class SshAgentClient {
  static final int SSH_AGENT_FAILURE = 5;
  static final int SSH2_AGENTC_REQUEST_IDENTITIES = 11;
  static final int SSH2_AGENT_IDENTITIES_ANSWER = 12;
  static final int SSH2_AGENTC_SIGN_REQUEST = 13;
  static final int SSH2_AGENT_SIGN_RESPONSE = 14;
  public static final int SSH_AGENT_RSA_SHA2_256 = 2;
  public static final int SSH_AGENT_RSA_SHA2_512 = 4;
  private static final int MAX_MESSAGE = 256 * 1024;

  /** A key the agent holds. */
  @SuppressWarnings("ArrayRecordComponent") // a carrier, never compared or used as a key
  public record Identity(byte[] blob, PublicKey key, String comment) {}

  private final Path socket;
  private final Duration timeout;

  public SshAgentClient(Path socket, Duration timeout) {
    this.socket = socket;
    this.timeout = timeout;
  }

  public List<Identity> identities() {
    SshWire in =
        call(
            new SshWire.Writer().byte1(SSH2_AGENTC_REQUEST_IDENTITIES).toByteArray(),
            SSH2_AGENT_IDENTITIES_ANSWER);
    int n = in.uint32();
    List<Identity> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      byte[] blob = in.bytes();
      String comment = in.string();
      try {
        out.add(new Identity(blob, SshPublicKeys.decode(blob), comment));
      } catch (IllegalArgumentException e) {
        // a key type we cannot use (DSA, certificates, security keys): skip it
      }
    }
    return out;
  }

  /** A signature as the agent returns it: format name (e.g. rsa-sha2-256) and raw bytes. */
  @SuppressWarnings("ArrayRecordComponent") // a carrier, never compared or used as a key
  public record AgentSignature(String format, byte[] raw) {}

  public AgentSignature sign(byte[] keyBlob, byte[] data, int flags) {
    byte[] req =
        new SshWire.Writer()
            .byte1(SSH2_AGENTC_SIGN_REQUEST)
            .bytes(keyBlob)
            .bytes(data)
            .uint32(flags)
            .toByteArray();
    SshWire in = call(req, SSH2_AGENT_SIGN_RESPONSE);
    SshWire sig = new SshWire(in.bytes());
    String format = sig.string();
    byte[] raw = sig.bytes();
    return new AgentSignature(format, raw);
  }

  private SshWire call(byte[] request, int expectedType) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        Selector selector = Selector.open()) {
      ch.connect(UnixDomainSocketAddress.of(socket));
      ch.configureBlocking(false);
      ByteBuffer out = ByteBuffer.allocate(4 + request.length);
      out.putInt(request.length).put(request).flip();
      SelectionKey key = ch.register(selector, SelectionKey.OP_WRITE);
      while (out.hasRemaining()) {
        await(selector, deadline);
        ch.write(out);
      }
      key.interestOps(SelectionKey.OP_READ);
      ByteBuffer len = ByteBuffer.allocate(4);
      readFully(ch, selector, len, deadline);
      int n = len.flip().getInt();
      if (n <= 0 || n > MAX_MESSAGE) {
        throw new MantaKeyException("ssh-agent sent a message of bad length " + n);
      }
      ByteBuffer body = ByteBuffer.allocate(n);
      readFully(ch, selector, body, deadline);
      SshWire in = new SshWire(body.array());
      int type = in.byte1() & 0xff;
      if (type == SSH_AGENT_FAILURE) {
        throw new MantaKeyException("ssh-agent at " + socket + " refused the request");
      }
      if (type != expectedType) {
        throw new MantaKeyException(
            "ssh-agent answered message type " + type + ", expected " + expectedType);
      }
      return in;
    } catch (IOException e) {
      throw new MantaKeyException(
          "cannot talk to ssh-agent at " + socket + ": " + e.getMessage(), e);
    }
  }

  private static void readFully(SocketChannel ch, Selector selector, ByteBuffer buf, long deadline)
      throws IOException {
    while (buf.hasRemaining()) {
      await(selector, deadline);
      if (ch.read(buf) < 0) {
        throw new IOException("ssh-agent closed the connection");
      }
    }
  }

  private static void await(Selector selector, long deadline) throws IOException {
    long left = deadline - System.nanoTime();
    if (left <= 0) {
      throw new IOException("timed out");
    }
    selector.select(Math.max(1, left / 1_000_000));
    selector.selectedKeys().clear();
  }
}
