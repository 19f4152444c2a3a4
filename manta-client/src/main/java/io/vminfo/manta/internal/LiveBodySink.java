package io.vminfo.manta.internal;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpResponse;

/**
 * Asks the socket transport for a body its caller reads straight from the connection, on the
 * caller's own thread (the transport then returns a {@link BodyStream} as the response's value
 * instead of reading the body itself). No bytes pass through the sink.
 */
public final class LiveBodySink implements ResponseSink<BodyStream> {
  private final boolean verifyMd5;

  /**
   * @param verifyMd5 check the body's MD5 against {@code content-md5} at its end
   */
  public LiveBodySink(boolean verifyMd5) {
    this.verifyMd5 = verifyMd5;
  }

  public boolean verifyMd5() {
    return verifyMd5;
  }

  @Override
  public boolean onData(ByteBuf data) {
    throw new IllegalStateException("a live body is read by its caller, not delivered");
  }

  @Override
  public BodyStream onComplete(HttpResponse response) {
    throw new IllegalStateException("a live body is read by its caller, not delivered");
  }
}
