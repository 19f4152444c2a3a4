package io.vminfo.alarms.internal;

import io.vminfo.alarms.AlarmNotice;
import io.vminfo.alarms.Notifier;
import io.vminfo.alarms.RejectedNoticeException;
import io.vminfo.core.concurrent.NamedThreads;
import io.vminfo.core.internal.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * POSTs each notice as JSON ({@code Content-Type: application/json}) with the delivery id also in
 * {@code X-Vminfo-Delivery-Id}. 2xx is delivered; 408, 429 and 5xx (and any I/O error or timeout)
 * are retried; other 4xx mean the receiver will never take it.
 */
public final class WebhookNotifier implements Notifier {
  private final URI url;
  private final Duration timeout;
  private final ExecutorService executor;
  private final HttpClient client;

  public WebhookNotifier(URI url, Duration timeout) {
    if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme())) {
      throw new IllegalArgumentException("webhook url must be http or https: " + url);
    }
    this.url = url;
    this.timeout = timeout;
    this.executor = Executors.newSingleThreadExecutor(NamedThreads.daemon("alarms-webhook"));
    this.client =
        HttpClient.newBuilder()
            .connectTimeout(timeout)
            .executor(executor)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  @Override
  public String name() {
    return "webhook";
  }

  @Override
  public void deliver(AlarmNotice notice) throws IOException, InterruptedException {
    HttpRequest req =
        HttpRequest.newBuilder(url)
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .header("X-Vminfo-Delivery-Id", notice.deliveryId())
            .POST(HttpRequest.BodyPublishers.ofByteArray(Json.bytes(Codec.notice(notice))))
            .build();
    HttpResponse<Void> resp = client.send(req, HttpResponse.BodyHandlers.discarding());
    int code = resp.statusCode();
    if (code >= 200 && code < 300) {
      return;
    }
    if (code >= 400 && code < 500 && code != 408 && code != 429) {
      throw new RejectedNoticeException("webhook " + url + " answered " + code);
    }
    throw new IOException("webhook " + url + " answered " + code);
  }

  @Override
  public void close() {
    executor.shutdownNow();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
