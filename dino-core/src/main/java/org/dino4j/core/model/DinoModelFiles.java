package org.dino4j.core.model;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** {@link DinoModel}'s files: the model file (architecture + flat parameters) and the exported backbone graph. */
final class DinoModelFiles {
    private static final int FILE_MAGIC = 0x44494e4f; // "DINO"
    private static final int FILE_VERSION = 1;

    private DinoModelFiles() {
    }

    static void save(DinoModel m, Path file) throws IOException {
        ByteArrayOutputStream header = new ByteArrayOutputStream();
        try (ObjectOutputStream oos = new ObjectOutputStream(header)) {
            oos.writeObject(m.backbone());
            oos.writeObject(m.headConfig());
            oos.writeUTF(m.dataType().name());
        }
        try (DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(Files.newOutputStream(file)))) {
            out.writeInt(FILE_MAGIC);
            out.writeInt(FILE_VERSION);
            byte[] h = header.toByteArray();
            out.writeInt(h.length);
            out.write(h);
            Nd4j.write(m.params(), out);
        }
    }

    static DinoModel load(Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(Files.newInputStream(file)))) {
            if (in.readInt() != FILE_MAGIC) {
                throw new IOException("not a dino4j model file: " + file);
            }
            int version = in.readInt();
            if (version != FILE_VERSION) {
                throw new IOException("unsupported dino4j model file version " + version + " in " + file);
            }
            byte[] h = new byte[in.readInt()];
            in.readFully(h);
            Backbone bb;
            DinoHeadConfig hc;
            DataType dt;
            try (ObjectInputStream ois = new ObjectInputStream(new ByteArrayInputStream(h))) {
                bb = (Backbone) ois.readObject();
                hc = (DinoHeadConfig) ois.readObject();
                dt = DataType.valueOf(ois.readUTF());
            } catch (ClassNotFoundException | ClassCastException | IllegalArgumentException e) {
                throw new IOException("corrupt dino4j model header in " + file + ": " + e, e);
            }
            INDArray p = Nd4j.read(in);
            DinoModel m = DinoModel.create(bb, hc, dt, 0L);
            if (p.length() != m.params().length()) {
                throw new IOException("parameter count " + p.length() + " in " + file + " does not match the "
                        + "architecture's " + m.params().length());
            }
            m.params().assign(p.reshape(1, p.length()));
            return m;
        }
    }

    static void exportBackbone(DinoModel m, Path file) throws IOException {
        SameDiff g = SameDiff.create();
        SDVariable x = g.placeHolder(GraphNames.IMAGES, m.dataType(), -1, m.backbone().inChannels(), -1, -1);
        // inference graph: the same parameters without training-only step inputs (e.g. a ViT's drop path)
        Backbone.Instance f = m.backbone().forInference().define(GraphScope.of(g, GraphNames.BACKBONE_SCOPE, m.dataType(),
                new Random(0)));
        g.identity(GraphNames.FEATURES, f.apply(x));
        for (int i = 0; i < m.parameters().size(); i++) {
            ParamInfo pi = m.parameters().get(i);
            if (pi.name().startsWith(GraphNames.BACKBONE_SCOPE + "/")) {
                g.getArrForVarName(pi.name()).assign(m.flat().parameter(i));
            }
        }
        try {
            g.save(file.toFile(), false);
        } catch (RuntimeException e) {
            throw new IOException("could not write backbone graph " + file + ": " + e, e);
        }
    }
}
