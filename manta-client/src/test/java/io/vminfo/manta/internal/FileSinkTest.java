package io.vminfo.manta.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.vminfo.manta.MantaException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The download-to-file sink, with its worker driven by hand. */
class FileSinkTest {
  @TempDir Path dir;

  /** Runs submitted tasks only when the test says so. */
  static final class ManualExecutor implements Executor {
    final ArrayDeque<Runnable> tasks = new ArrayDeque<>();

    @Override
    public void execute(Runnable command) {
      tasks.add(command);
    }

    void runOne() {
      tasks.remove().run();
    }

    void runAll() {
      Runnable r;
      while ((r = tasks.poll()) != null) {
        r.run();
      }
    }
  }

  static final class RecordingFlow implements ResponseSink.Flow {
    int resumes;
    final List<Throwable> aborts = new ArrayList<>();

    @Override
    public void resume() {
      resumes++;
    }

    @Override
    public void abort(Throwable cause) {
      aborts.add(cause);
    }
  }

  static HttpResponse response(byte[] whole) throws Exception {
    HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    r.headers()
        .set(
            "content-md5",
            Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest(whole)));
    return r;
  }

  /**
   * Hands {@code data} to the sink 1 MiB at a time, as the exchange does (releasing each buffer
   * after onData); {@code keepReading} gets each answer. Returns the buffers given.
   */
  private static List<ByteBuf> feedInMiBs(
      ResponseSink<Path> sink, byte[] data, List<Boolean> keepReading) {
    List<ByteBuf> given = new ArrayList<>();
    for (int off = 0; off < data.length; off += 1 << 20) {
      ByteBuf b = Unpooled.copiedBuffer(data, off, 1 << 20);
      given.add(b);
      keepReading.add(sink.onData(b));
      b.release();
    }
    return given;
  }

  @Test
  void readingPausesWhileTheDiskIsBehindAndResumesWhenItCatchesUp() throws Exception {
    byte[] data = new byte[12 << 20];
    new Random(3).nextBytes(data);
    ManualExecutor worker = new ManualExecutor();
    RecordingFlow flow = new RecordingFlow();
    Path target = dir.resolve("big.bin");
    ResponseSink<Path> sink = Sinks.file(target, true, worker);
    sink.onHeaders(response(data), flow);

    List<Boolean> keepReading = new ArrayList<>();
    List<ByteBuf> given = feedInMiBs(sink, data, keepReading);
    // 8 MiB is the most received but not written: past it the sink asks to pause.
    assertThat(keepReading.subList(0, 8)).containsOnly(true);
    assertThat(keepReading.subList(8, 12)).containsOnly(false);
    assertThat(flow.resumes).isZero();

    CompletableFuture<Path> done = sink.complete(response(data));
    assertThat(done).isNotDone();
    worker.runAll();
    assertThat(flow.resumes).isEqualTo(1);
    assertThat(done).isCompletedWithValue(target.toAbsolutePath());
    assertThat(Files.readAllBytes(target)).isEqualTo(data);
    assertThat(given).allSatisfy(b -> assertThat(b.refCnt()).isZero());
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files).containsExactly(target);
    }
  }

  @Test
  void writingDoesNotWaitForTheMd5AndAnMd5ThatLagsKeepsReadingPaused() throws Exception {
    byte[] data = new byte[12 << 20];
    new Random(4).nextBytes(data);
    ManualExecutor worker = new ManualExecutor();
    RecordingFlow flow = new RecordingFlow();
    Path target = dir.resolve("big.bin");
    ResponseSink<Path> sink = Sinks.file(target, true, worker);
    sink.onHeaders(response(data), flow);
    feedInMiBs(sink, data, new ArrayList<>());
    CompletableFuture<Path> done = sink.complete(response(data));

    worker.runOne(); // the writer: every byte on disk, the MD5 of none yet
    try (Stream<Path> files = Files.list(dir)) {
      Path part = files.collect(java.util.stream.Collectors.toList()).get(0);
      assertThat(part.getFileName().toString()).endsWith(".part");
      assertThat(Files.size(part)).isEqualTo(data.length);
    }
    assertThat(done).as("complete only once hashed and checked").isNotDone();
    assertThat(flow.resumes).as("12 MiB still to hash: reading stays paused").isZero();

    worker.runAll();
    assertThat(flow.resumes).isEqualTo(1);
    assertThat(done).isCompletedWithValue(target.toAbsolutePath());
    assertThat(Files.readAllBytes(target)).isEqualTo(data);
  }

  @Test
  void withoutMd5VerificationTheFileIsInPlaceOnceWritten() throws Exception {
    ManualExecutor worker = new ManualExecutor();
    Path target = dir.resolve("range.bin");
    ResponseSink<Path> sink = Sinks.file(target, false, worker); // a range: no whole-object MD5
    sink.onHeaders(response(new byte[] {9}), new RecordingFlow());
    ByteBuf b = Unpooled.copiedBuffer(new byte[] {1, 2, 3});
    sink.onData(b);
    b.release();
    CompletableFuture<Path> done = sink.complete(response(new byte[] {9}));
    worker.runOne();
    assertThat(done).isCompletedWithValue(target.toAbsolutePath());
    assertThat(Files.readAllBytes(target)).containsExactly(1, 2, 3);
    assertThat(worker.tasks).as("no hashing queued").isEmpty();
  }

  @Test
  void aWrongMd5LeavesNoFileAndAFailureReleasesWhatWasQueued() throws Exception {
    ManualExecutor worker = new ManualExecutor();
    RecordingFlow flow = new RecordingFlow();
    ResponseSink<Path> sink = Sinks.file(dir.resolve("m"), true, worker);
    sink.onHeaders(response(new byte[] {9}), flow);
    ByteBuf b = Unpooled.copiedBuffer(new byte[] {1, 2, 3});
    sink.onData(b);
    b.release();
    CompletableFuture<Path> done = sink.complete(response(new byte[] {9}));
    worker.runAll();
    assertThat(done).isCompletedExceptionally();
    assertThat(done.handle((v, e) -> ((MantaException) e).code()).join())
        .isEqualTo(MantaException.MD5_MISMATCH);
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files).isEmpty();
    }

    ResponseSink<Path> broken = Sinks.file(dir.resolve("x"), true, worker);
    broken.onHeaders(response(new byte[] {9}), flow);
    ByteBuf q = Unpooled.copiedBuffer(new byte[] {1, 2, 3});
    broken.onData(q);
    q.release();
    broken.onError(new IllegalStateException("connection lost"));
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files).as("nothing left once the failure is reported").isEmpty();
    }
    worker.runAll();
    assertThat(q.refCnt()).isZero();
  }
}
