package io.vminfo.agent.testing;

import com.fasterxml.jackson.databind.JsonNode;
import io.vminfo.core.FeedCodec;
import io.vminfo.core.FeedMessage;
import io.vminfo.core.internal.Json;
import java.io.IOException;
import java.net.InetSocketAddress;

/** An {@code /events} stream read line by line over {@link RawHttp}, for wire-level tests. */
public final class RawFeed implements AutoCloseable {
  public final RawHttp http;
  public final RawHttp.Response head;
  private String lastLine;

  private RawFeed(RawHttp http, RawHttp.Response head) {
    this.http = http;
    this.head = head;
  }

  public static RawFeed open(InetSocketAddress agent, String query) throws IOException {
    RawHttp http = RawHttp.connect(agent);
    http.get("/events" + query);
    RawHttp.Response head = http.readHead();
    if (head.status() != 200) {
      RawHttp.Response rest = head;
      http.close();
      throw new IOException("feed answered " + rest.statusLine());
    }
    return new RawFeed(http, head);
  }

  /** The next line as raw text (null at the end of the stream). */
  public String nextLine() throws IOException {
    lastLine = http.readLine();
    return lastLine;
  }

  /** The next line parsed as JSON. */
  public JsonNode nextJson() throws IOException {
    String line = nextLine();
    if (line == null) {
      throw new IOException("the feed ended");
    }
    return Json.MAPPER.readTree(line);
  }

  /** The next line parsed with the feed codec. */
  public FeedMessage next() throws IOException {
    String line = nextLine();
    if (line == null) {
      throw new IOException("the feed ended");
    }
    return FeedCodec.parse(line);
  }

  @Override
  public void close() throws IOException {
    http.close();
  }
}
