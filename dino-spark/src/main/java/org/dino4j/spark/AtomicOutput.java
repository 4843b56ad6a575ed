package org.dino4j.spark;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/**
 * A job's output directory that appears whole or not at all. Everything is written under a hidden staging
 * directory next to it ({@code .NAME.tmp-<uuid>}); {@link #commit()} renames the staging directory to the
 * output's name, one rename on the output's file system (atomic on HDFS and local disks; object stores such as
 * S3 copy instead). Inside the staging directory Spark's own output committer makes each table's rows appear
 * once: a failed or retried task's files are discarded, only the committed attempt's are kept.
 *
 * <p>The output must not exist yet (a result is never overwritten). {@link #close()} without a commit deletes
 * the staging directory.
 */
final class AtomicOutput implements AutoCloseable {
    private final FileSystem fs;
    private final Path out;
    private final Path staging;
    private boolean committed;

    /**
     * @param spark the session (its Hadoop configuration resolves the path's file system)
     * @param out   the output directory (a path or URI)
     * @throws IOException when {@code out} already exists, naming it
     */
    AtomicOutput(SparkSession spark, String out) throws IOException {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        Path p = new Path(out);
        this.fs = p.getFileSystem(conf);
        this.out = fs.makeQualified(p);
        if (fs.exists(this.out)) {
            throw new IOException("output " + this.out + " already exists; choose a new one (results are never overwritten)");
        }
        Path parent = this.out.getParent();
        if (parent == null) {
            throw new IOException("output " + this.out + " has no parent directory");
        }
        this.staging = new Path(parent, "." + this.out.getName() + ".tmp-" + UUID.randomUUID());
        fs.mkdirs(staging);
    }

    /** The final location. */
    String out() {
        return out.toString();
    }

    /** Where to write {@code child} before the commit. */
    String staged(String child) {
        return new Path(staging, child).toString();
    }

    /** Writes a small text file into the staging directory. */
    void writeString(String child, String text) throws IOException {
        // on a local disk, without the checksum side file (.NAME.crc) Hadoop's local file system would add
        FileSystem target = fs instanceof LocalFileSystem local ? local.getRawFileSystem() : fs;
        try (OutputStream o = target.create(new Path(staging, child), false)) {
            o.write(text.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Moves the staging directory into place. */
    void commit() throws IOException {
        if (fs.exists(out)) {
            throw new IOException("output " + out + " appeared while the job ran; the result stays in " + staging);
        }
        if (!fs.rename(staging, out)) {
            throw new IOException("could not rename " + staging + " to " + out);
        }
        committed = true;
    }

    @Override
    public void close() throws IOException {
        if (!committed) {
            fs.delete(staging, true);
        }
    }
}
