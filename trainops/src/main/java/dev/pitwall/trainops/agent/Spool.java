package dev.pitwall.trainops.agent;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The agent's durable queue: every record is appended to {@code spool.jsonl} and forced to disk
 * before it is sent; {@code spool.offset} says how far the server has confirmed. Records go out
 * in the order they came in, a batch at a time; a batch is only confirmed after the server took
 * it, so a crash or an outage at any point loses nothing (a batch may be sent twice). Once all is
 * confirmed the file starts over.
 */
final class Spool implements AutoCloseable {

    private final Path data;
    private final Path offsetFile;
    private final FileChannel channel;
    private long confirmed;

    Spool(Path dir) throws IOException {
        Files.createDirectories(dir);
        this.data = dir.resolve("spool.jsonl");
        this.offsetFile = dir.resolve("spool.offset");
        this.channel = FileChannel.open(data, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        this.confirmed = Files.exists(offsetFile) ? Long.parseLong(Files.readString(offsetFile).strip()) : 0;
        // A crash mid-append can leave a partial last record: drop it, it was never confirmed to its sender.
        long size = channel.size();
        long end = lastNewline(size);
        if (end < size) {
            channel.truncate(end);
        }
        if (confirmed > channel.size()) {
            confirmed = channel.size();
        }
    }

    /** Appends records (one JSON object each, no newlines inside) and forces them to disk. */
    synchronized void append(List<String> records) throws IOException {
        if (records.isEmpty()) {
            return;
        }
        StringBuilder out = new StringBuilder();
        records.forEach(r -> out.append(r).append('\n'));
        ByteBuffer bytes = ByteBuffer.wrap(out.toString().getBytes(StandardCharsets.UTF_8));
        channel.position(channel.size());
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
        channel.force(false);
    }

    /** The oldest unconfirmed records, at most {@code maxBytes} of them (at least one), with where the batch ends. */
    synchronized Batch next(int maxBytes) throws IOException {
        long size = channel.size();
        if (confirmed >= size) {
            return new Batch(List.of(), confirmed);
        }
        int length = (int) Math.min(size - confirmed, Math.max(maxBytes, 1));
        ByteBuffer buffer = ByteBuffer.allocate(length);
        channel.read(buffer, confirmed);
        byte[] raw = buffer.array();
        int last = -1;
        for (int i = raw.length - 1; i >= 0; i--) {
            if (raw[i] == '\n') {
                last = i;
                break;
            }
        }
        if (last < 0) {
            // One record longer than maxBytes: send it alone.
            return next((int) Math.min(size - confirmed, (long) maxBytes * 4));
        }
        List<String> records = new ArrayList<>();
        for (String line : new String(raw, 0, last, StandardCharsets.UTF_8).split("\n")) {
            if (!line.isEmpty()) {
                records.add(line);
            }
        }
        return new Batch(records, confirmed + last + 1);
    }

    /** The server took everything up to {@code end}. */
    synchronized void confirm(long end) throws IOException {
        confirmed = end;
        if (confirmed >= channel.size()) {
            // All sent: start over, so the spool only grows while the server is away.
            channel.truncate(0);
            confirmed = 0;
        }
        Path temp = offsetFile.resolveSibling("spool.offset.tmp");
        Files.writeString(temp, Long.toString(confirmed));
        try {
            Files.move(temp, offsetFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, offsetFile, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Bytes waiting for the server. */
    synchronized long pendingBytes() throws IOException {
        return channel.size() - confirmed;
    }

    private long lastNewline(long size) throws IOException {
        if (size == 0) {
            return 0;
        }
        try (RandomAccessFile file = new RandomAccessFile(data.toFile(), "r")) {
            for (long at = size - 1; at >= 0; at--) {
                file.seek(at);
                if (file.read() == '\n') {
                    return at + 1;
                }
            }
        }
        return 0;
    }

    @Override
    public synchronized void close() throws IOException {
        channel.close();
    }

    /** Records to send, and the spool position that confirming them reaches. */
    record Batch(List<String> records, long end) {
    }
}
