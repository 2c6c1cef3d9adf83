package dev.pitwall.trainops.knowledge;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.pitwall.core.config.ConfigLoader;
import dev.pitwall.core.json.Json;
import dev.pitwall.core.storage.Database;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.queryparser.classic.MultiFieldQueryParser;
import org.apache.lucene.queryparser.classic.ParseException;
import org.apache.lucene.queryparser.classic.QueryParser;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * The fault knowledge base: entries kept in the store (seeded with the shipped ones on first
 * start) and searched with Lucene by symptom, title, root cause and fix. The index lives in
 * memory and is rebuilt from the store at start, so the store stays the one source of truth.
 */
public final class KnowledgeBase implements AutoCloseable {

    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {
    };
    /**
     * Lucene warns on every start that the JDK's incubating vector API would speed it up; for a
     * knowledge base of this size it would not, and operators should not see the noise. Held here
     * so that the logger (and its level) is not collected.
     */
    private static final Logger LUCENE_VECTORS = quiet("org.apache.lucene.internal.vectorization");
    /** Symptoms weigh most: they are written in the logs' own words. */
    private static final Map<String, Float> BOOSTS = Map.of("symptom", 3f, "title", 2f, "root_cause", 1f, "fix", 0.5f);

    private record SeedFile(List<Seed> entries) {
        SeedFile {
            entries = entries == null ? List.of() : List.copyOf(entries);
        }
    }

    private record Seed(String title, String symptom, String rootCause, String fix, List<String> references) {
        Seed {
            references = references == null ? List.of() : List.copyOf(references);
        }
    }

    /** An entry and how well it matches, Lucene's BM25 score. */
    public record Match(KnowledgeEntry entry, double score) {
    }

    private final Jdbi jdbi;
    private final Clock clock;
    private final StandardAnalyzer analyzer = new StandardAnalyzer();
    private final ByteBuffersDirectory directory = new ByteBuffersDirectory();
    private final IndexWriter writer;

    public KnowledgeBase(Database database, Clock clock) {
        this.jdbi = database.jdbi();
        this.clock = clock;
        try {
            this.writer = new IndexWriter(directory, new IndexWriterConfig(analyzer));
            seedIfEmpty();
            for (KnowledgeEntry entry : all()) {
                writer.updateDocument(new Term("id", Long.toString(entry.id())), document(entry));
            }
            writer.commit();
        } catch (IOException e) {
            throw new UncheckedIOException("the knowledge base index could not be built", e);
        }
    }

    private void seedIfEmpty() throws IOException {
        if (jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM knowledge_entry").mapTo(Long.class).one()) > 0) {
            return;
        }
        try (InputStream in = KnowledgeBase.class.getResourceAsStream("/knowledge/seed.yaml")) {
            SeedFile seeds = new ConfigLoader<>(SeedFile.class, new SeedFile(null))
                    .load("knowledge/seed.yaml", new String(in.readAllBytes(), StandardCharsets.UTF_8), Map.of());
            for (Seed s : seeds.entries()) {
                insert(s.title(), s.symptom(), s.rootCause(), s.fix(), s.references(), "seed");
            }
        }
    }

    private static Logger quiet(String name) {
        Logger logger = Logger.getLogger(name);
        logger.setLevel(Level.SEVERE);
        return logger;
    }

    public List<KnowledgeEntry> all() {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM knowledge_entry ORDER BY id").map(KnowledgeBase::row).list());
    }

    public Optional<KnowledgeEntry> get(long id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM knowledge_entry WHERE id = :id").bind("id", id)
                .map(KnowledgeBase::row).findOne());
    }

    /** Adds an entry; answers it with its id. */
    public synchronized KnowledgeEntry create(String title, String symptom, String rootCause, String fix,
                                              List<String> references, String origin) {
        require(title, "title");
        require(symptom, "symptom");
        long id = insert(title, symptom, rootCause == null ? "" : rootCause, fix == null ? "" : fix,
                references == null ? List.of() : references, origin);
        KnowledgeEntry entry = get(id).orElseThrow();
        index(entry);
        return entry;
    }

    /** Rewrites an entry's root cause, fix and references, and adds to its symptom what a new incident showed. */
    public synchronized Optional<KnowledgeEntry> update(long id, String moreSymptom, String rootCause, String fix,
                                                        List<String> references, String origin) {
        Optional<KnowledgeEntry> current = get(id);
        if (current.isEmpty()) {
            return current;
        }
        KnowledgeEntry c = current.get();
        String symptom = moreSymptom == null || c.symptom().contains(moreSymptom) ? c.symptom() : c.symptom() + " " + moreSymptom;
        jdbi.useHandle(h -> h.createUpdate("""
                        UPDATE knowledge_entry SET symptom = :symptom, root_cause = :cause, fix = :fix, refs = :refs,
                               origin = :origin, updated_at = :at WHERE id = :id""")
                .bind("symptom", symptom).bind("cause", rootCause == null ? c.rootCause() : rootCause)
                .bind("fix", fix == null ? c.fix() : fix).bind("refs", json(references == null ? c.references() : references))
                .bind("origin", origin).bind("at", clock.millis()).bind("id", id).execute());
        KnowledgeEntry updated = get(id).orElseThrow();
        index(updated);
        return Optional.of(updated);
    }

    /** The best matches for free text (an incident's title and signals, or what a person typed), best first. */
    public List<Match> search(String text, int limit) {
        if (text == null || text.isBlank()) {
            return List.of();
        }
        MultiFieldQueryParser parser = new MultiFieldQueryParser(BOOSTS.keySet().toArray(String[]::new), analyzer, BOOSTS);
        parser.setDefaultOperator(QueryParser.Operator.OR);
        Query query;
        try {
            query = parser.parse(QueryParser.escape(text));
        } catch (ParseException e) {
            return List.of();
        }
        try (DirectoryReader reader = DirectoryReader.open(directory)) {
            IndexSearcher searcher = new IndexSearcher(reader);
            List<Match> matches = new ArrayList<>();
            for (ScoreDoc hit : searcher.search(query, limit).scoreDocs) {
                long id = Long.parseLong(searcher.storedFields().document(hit.doc).get("id"));
                get(id).ifPresent(entry -> matches.add(new Match(entry, hit.score)));
            }
            return matches;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (org.apache.lucene.search.IndexSearcher.TooManyClauses e) {
            return List.of();
        }
    }

    private long insert(String title, String symptom, String rootCause, String fix, List<String> references, String origin) {
        return jdbi.withHandle(h -> h.createUpdate("""
                        INSERT INTO knowledge_entry (title, symptom, root_cause, fix, refs, origin, updated_at)
                        VALUES (:title, :symptom, :cause, :fix, :refs, :origin, :at)""")
                .bind("title", title).bind("symptom", symptom).bind("cause", rootCause).bind("fix", fix)
                .bind("refs", json(references)).bind("origin", origin).bind("at", clock.millis())
                .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one());
    }

    private void index(KnowledgeEntry entry) {
        try {
            writer.updateDocument(new Term("id", Long.toString(entry.id())), document(entry));
            writer.commit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Document document(KnowledgeEntry e) {
        Document doc = new Document();
        doc.add(new StringField("id", Long.toString(e.id()), Field.Store.YES));
        doc.add(new TextField("title", e.title(), Field.Store.NO));
        doc.add(new TextField("symptom", e.symptom(), Field.Store.NO));
        doc.add(new TextField("root_cause", e.rootCause(), Field.Store.NO));
        doc.add(new TextField("fix", e.fix(), Field.Store.NO));
        return doc;
    }

    private static void require(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " is missing");
        }
    }

    private static String json(List<String> values) {
        try {
            return Json.mapper().writeValueAsString(values);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static KnowledgeEntry row(ResultSet rs, StatementContext ctx) throws SQLException {
        List<String> refs;
        try {
            refs = Json.mapper().readValue(rs.getString("refs"), STRINGS);
        } catch (JsonProcessingException e) {
            refs = List.of();
        }
        return new KnowledgeEntry(rs.getLong("id"), rs.getString("title"), rs.getString("symptom"), rs.getString("root_cause"),
                rs.getString("fix"), refs, rs.getString("origin"), Instant.ofEpochMilli(rs.getLong("updated_at")));
    }

    @Override
    public void close() throws IOException {
        writer.close();
        directory.close();
    }
}
