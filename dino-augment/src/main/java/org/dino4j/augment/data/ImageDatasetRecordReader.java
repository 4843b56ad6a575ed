package org.dino4j.augment.data;

import org.datavec.api.conf.Configuration;
import org.datavec.api.records.Record;
import org.datavec.api.records.metadata.RecordMetaData;
import org.datavec.api.records.metadata.RecordMetaDataIndex;
import org.datavec.api.records.reader.BaseRecordReader;
import org.datavec.api.split.InputSplit;
import org.datavec.api.writable.IntWritable;
import org.datavec.api.writable.NDArrayWritable;
import org.datavec.api.writable.Writable;
import org.nd4j.linalg.factory.Nd4j;

import java.io.DataInputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * A DataVec {@link org.datavec.api.records.reader.RecordReader} over an {@link ImageDataset}: each record
 * is {@code [NDArrayWritable image [1, C, H, W] float32 in [0,1], IntWritable label]}, in index order.
 * It needs no {@link InputSplit}: {@code initialize} only rewinds. Metadata is a
 * {@link RecordMetaDataIndex} holding the image index, so {@code loadFromMetaData} gives random access.
 */
public class ImageDatasetRecordReader extends BaseRecordReader {
    private static final long serialVersionUID = 1L;
    private static final URI SOURCE = URI.create("dino4j:dataset");
    private final transient ImageDataset dataset;
    private int cursor;
    private Configuration conf;

    /** @param dataset the images to serve */
    public ImageDatasetRecordReader(ImageDataset dataset) {
        if (dataset == null) throw new IllegalArgumentException("dataset must not be null");
        this.dataset = dataset;
    }

    /** @return the dataset behind the reader. */
    public ImageDataset dataset() {
        return dataset;
    }

    @Override
    public void initialize(InputSplit split) {
        this.inputSplit = split;
        cursor = 0;
    }

    @Override
    public void initialize(Configuration conf, InputSplit split) {
        this.conf = conf;
        initialize(split);
    }

    @Override
    public boolean batchesSupported() {
        return false;
    }

    @Override
    public List<Writable> next() {
        if (!hasNext()) throw new NoSuchElementException("no more images (" + dataset.size() + " served)");
        List<Writable> r = recordAt(cursor++);
        invokeListeners(r);
        return r;
    }

    /** @return the record of image {@code i}. */
    public List<Writable> recordAt(int i) {
        float[] px = dataset.image(i);
        List<Writable> r = new ArrayList<>(2);
        r.add(new NDArrayWritable(Nd4j.create(px, new long[]{1, dataset.channels(), dataset.height(), dataset.width()}, 'c')));
        r.add(new IntWritable(dataset.label(i)));
        return r;
    }

    @Override
    public boolean hasNext() {
        return cursor < dataset.size();
    }

    @Override
    public List<String> getLabels() {
        List<String> l = new ArrayList<>();
        for (int c = 0; c < dataset.numClasses(); c++) l.add(dataset.className(c));
        return l;
    }

    @Override
    public void reset() {
        cursor = 0;
    }

    @Override
    public boolean resetSupported() {
        return true;
    }

    @Override
    public List<Writable> record(URI uri, DataInputStream dataInputStream) {
        throw new UnsupportedOperationException("ImageDatasetRecordReader reads from its dataset, not from streams");
    }

    @Override
    public Record nextRecord() {
        int i = cursor;
        List<Writable> r = next();
        return new org.datavec.api.records.impl.Record(r, new RecordMetaDataIndex(i, SOURCE, ImageDatasetRecordReader.class));
    }

    @Override
    public Record loadFromMetaData(RecordMetaData meta) {
        if (!(meta instanceof RecordMetaDataIndex idx))
            throw new IllegalArgumentException("meta must be a RecordMetaDataIndex, got " + meta);
        int i = (int) idx.getIndex();
        ImageDataset.checkIndex(i, dataset.size());
        return new org.datavec.api.records.impl.Record(recordAt(i), meta);
    }

    @Override
    public List<Record> loadFromMetaData(List<RecordMetaData> metas) {
        List<Record> out = new ArrayList<>(metas.size());
        for (RecordMetaData m : metas) out.add(loadFromMetaData(m));
        return out;
    }

    @Override
    public void close() {
    }

    @Override
    public void setConf(Configuration conf) {
        this.conf = conf;
    }

    @Override
    public Configuration getConf() {
        return conf;
    }
}
