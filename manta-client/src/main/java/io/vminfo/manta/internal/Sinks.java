package io.vminfo.manta.internal;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpResponse;
import io.vminfo.manta.MantaException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Optional;

/** The simple sinks: discard, bounded buffer, file. */
public final class Sinks {
    private Sinks() {
    }

    public static ResponseSink<Void> discard() {
        return new ResponseSink<>() {
            @Override
            public boolean onData(ByteBuf data) {
                return true;
            }

            @Override
            public Void onComplete(HttpResponse response) {
                return null;
            }
        };
    }

    /** Collects at most {@code maxBytes}; more is a BAD_RESPONSE error (a hostile or broken server). */
    public static ResponseSink<byte[]> buffer(long maxBytes) {
        return new ResponseSink<>() {
            private final ByteArrayOutputStream out = new ByteArrayOutputStream();
            private Flow flow;

            @Override
            public void onHeaders(HttpResponse response, Flow f) {
                this.flow = f;
                long declared = io.netty.handler.codec.http.HttpUtil.getContentLength(response, -1L);
                if (declared > maxBytes) {
                    throw tooLarge(declared, maxBytes);
                }
            }

            @Override
            public boolean onData(ByteBuf data) {
                if (out.size() + (long) data.readableBytes() > maxBytes) {
                    flow.abort(tooLarge(out.size() + (long) data.readableBytes(), maxBytes));
                    return false;
                }
                try {
                    data.readBytes(out, data.readableBytes());
                } catch (IOException e) {
                    throw new IllegalStateException(e); // ByteArrayOutputStream does not fail
                }
                return true;
            }

            @Override
            public byte[] onComplete(HttpResponse response) {
                return out.toByteArray();
            }
        };
    }

    static MantaException tooLarge(long size, long max) {
        return new MantaException(0, MantaException.BAD_RESPONSE,
                "response body of " + size + " bytes exceeds the limit of " + max, Optional.empty(), false, null);
    }

    /**
     * Writes to a temporary file beside {@code target} and moves it into place only when the body
     * is complete and its MD5 matches the object's {@code Content-MD5}; a failure leaves nothing.
     */
    public static ResponseSink<Path> file(Path target, boolean verifyMd5) {
        return new FileSink(target, verifyMd5);
    }

    private static final class FileSink implements ResponseSink<Path> {
        private final Path target;
        private final boolean verifyMd5;
        private final MessageDigest md5 = Md5ChunkedInput.newMd5();
        private Path temp;
        private FileChannel out;
        private Flow flow;

        FileSink(Path target, boolean verifyMd5) {
            this.target = target.toAbsolutePath();
            this.verifyMd5 = verifyMd5;
        }

        @Override
        public void onHeaders(HttpResponse response, Flow f) {
            this.flow = f;
            try {
                Path dir = target.getParent();
                temp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".part");
                out = FileChannel.open(temp, StandardOpenOption.WRITE);
            } catch (IOException e) {
                throw local("cannot create a file beside " + target, e);
            }
        }

        @Override
        public boolean onData(ByteBuf data) {
            try {
                for (ByteBuffer nio : data.nioBuffers()) {
                    md5.update(nio.duplicate());
                    while (nio.hasRemaining()) {
                        out.write(nio);
                    }
                }
                return true;
            } catch (IOException e) {
                flow.abort(local("cannot write " + temp, e));
                return false;
            }
        }

        @Override
        public Path onComplete(HttpResponse response) {
            try {
                // No fsync: a download is repeatable, and the rename below is what makes it atomic.
                out.close();
                String expected = response.headers().get("content-md5");
                String actual = Base64.getEncoder().encodeToString(md5.digest());
                if (verifyMd5 && expected != null && !expected.equals(actual)) {
                    Files.deleteIfExists(temp);
                    throw new MantaException(0, MantaException.MD5_MISMATCH, "downloaded bytes have MD5 " + actual
                            + " but Manta says the object's is " + expected, Optional.ofNullable(
                                    response.headers().get("x-request-id")), false, null);
                }
                try {
                    Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } catch (java.nio.file.AtomicMoveNotSupportedException e) {
                    Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
                }
                return target;
            } catch (IOException e) {
                onError(e);
                throw local("cannot finish " + target, e);
            }
        }

        @Override
        public void onError(Throwable cause) {
            try {
                if (out != null) {
                    out.close();
                }
                if (temp != null) {
                    Files.deleteIfExists(temp);
                }
            } catch (IOException e) {
                // best effort: the temp file has a .part name
            }
        }
    }

    static MantaException local(String message, IOException e) {
        return new MantaException(0, MantaException.LOCAL_IO, message + ": " + e.getMessage(), Optional.empty(),
                false, e);
    }
}
