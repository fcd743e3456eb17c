import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import org.apache.lucene.analysis.ko.POS;
import org.apache.lucene.analysis.ko.dict.CharacterDefinition;
import org.apache.lucene.analysis.ko.dict.ConnectionCosts;
import org.apache.lucene.analysis.ko.dict.Dictionary;
import org.apache.lucene.analysis.ko.dict.TokenInfoDictionary;
import org.apache.lucene.analysis.ko.dict.TokenInfoFST;
import org.apache.lucene.analysis.ko.dict.UnknownDictionary;
import org.apache.lucene.util.IntsRef;
import org.apache.lucene.util.fst.FST;
import org.apache.lucene.util.fst.IntsRefFSTEnum;

/**
 * Writes the dictionary inside Lucene's Nori jar (mecab-ko-dic, as Nori compiled it) in the plain
 * format the .NET Korean analyzer reads (src/Mrc.Retrieval/Analysis/Korean/KoreanLexicon.cs):
 * every surface form with its entries, the connection cost matrix, the character classes, the
 * unknown-word entries, and the JVM's Unicode general category and script of every UTF-16 code unit
 * (.NET has no script property, and Nori groups unknown words by script).
 *
 * All numbers are big-endian; a string is a u16 length and that many UTF-16 code units (0xFFFF: none).
 * The output is gzip-compressed.
 *
 * usage: java -cp LUCENE_JARS:. NoriDictionary OUT.bin.gz
 */
public final class NoriDictionary {
  static final int VERSION = 1;

  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: NoriDictionary OUT.bin.gz");
      System.exit(2);
    }
    TokenInfoDictionary dictionary = TokenInfoDictionary.getInstance();
    FST<Long> fst = internalFst(dictionary.getFST());

    // Surfaces in the FST's order (ordinal UTF-16 order), each with its word ids; the word ids are
    // renumbered densely in the order they are first met.
    Map<Integer, Integer> denseIds = new LinkedHashMap<>();
    List<String> surfaces = new ArrayList<>();
    List<int[]> surfaceWords = new ArrayList<>();
    IntsRefFSTEnum<Long> entries = new IntsRefFSTEnum<>(fst);
    IntsRef ids = new IntsRef();
    IntsRefFSTEnum.InputOutput<Long> entry;
    while ((entry = entries.next()) != null) {
      StringBuilder surface = new StringBuilder();
      for (int i = 0; i < entry.input.length; i++) surface.append((char) entry.input.ints[entry.input.offset + i]);
      dictionary.lookupWordIds(entry.output.intValue(), ids);
      int[] dense = new int[ids.length];
      for (int i = 0; i < ids.length; i++) {
        int wordId = ids.ints[ids.offset + i];
        Integer known = denseIds.get(wordId);
        if (known == null) {
          known = denseIds.size();
          denseIds.put(wordId, known);
        }
        dense[i] = known;
      }
      surfaces.add(surface.toString());
      surfaceWords.add(dense);
    }
    // The surface each word id was found under (morphemes of compounds are cut from it).
    String[] surfaceOf = new String[denseIds.size()];
    int[] wordIdOf = new int[denseIds.size()];
    for (Map.Entry<Integer, Integer> e : denseIds.entrySet()) wordIdOf[e.getValue()] = e.getKey();
    for (int s = 0; s < surfaces.size(); s++)
      for (int dense : surfaceWords.get(s)) surfaceOf[dense] = surfaces.get(s);

    try (OutputStream file = Files.newOutputStream(Path.of(args[0]));
         DataOutputStream out = new DataOutputStream(new BufferedOutputStream(new GZIPOutputStream(file, 1 << 16), 1 << 16))) {
      out.writeBytes("MRCKODIC");
      out.writeInt(VERSION);

      POS.Tag[] tags = POS.Tag.values();
      out.writeByte(tags.length);
      for (POS.Tag tag : tags) writeString(out, tag.name());
      POS.Type[] types = POS.Type.values();
      out.writeByte(types.length);
      for (POS.Type type : types) writeString(out, type.name());

      // Known words.
      out.writeInt(wordIdOf.length);
      for (int dense = 0; dense < wordIdOf.length; dense++) {
        int wordId = wordIdOf[dense];
        char[] surface = surfaceOf[dense].toCharArray();
        writeWord(out, dictionary, wordId);
        writeString(out, dictionary.getReading(wordId));
        Dictionary.Morpheme[] morphemes = dictionary.getMorphemes(wordId, surface, 0, surface.length);
        if (morphemes == null) {
          out.writeByte(0xFF);
        } else {
          out.writeByte(morphemes.length);
          for (Dictionary.Morpheme m : morphemes) {
            out.writeByte(m.posTag.ordinal());
            writeString(out, m.surfaceForm);
          }
        }
      }

      // Surfaces, front-coded against the previous one.
      out.writeInt(surfaces.size());
      String previous = "";
      for (int s = 0; s < surfaces.size(); s++) {
        String surface = surfaces.get(s);
        int shared = 0;
        while (shared < previous.length() && shared < surface.length() && shared < 255 && previous.charAt(shared) == surface.charAt(shared)) shared++;
        out.writeByte(shared);
        writeString(out, surface.substring(shared));
        int[] dense = surfaceWords.get(s);
        out.writeByte(dense.length);
        for (int id : dense) out.writeInt(id);
        previous = surface;
      }

      // Connection costs: get(rightId of the word before, leftId of the word after); row by row,
      // each row as differences from the previous row (the rows are alike; gzip does the rest).
      ConnectionCosts costs = ConnectionCosts.getInstance();
      int forwardSize = 0, backwardSize = 0;
      for (int w = 0; w < wordIdOf.length; w++) {
        forwardSize = Math.max(forwardSize, dictionary.getRightId(wordIdOf[w]) + 1);
        backwardSize = Math.max(backwardSize, dictionary.getLeftId(wordIdOf[w]) + 1);
      }
      UnknownDictionary unknown = UnknownDictionary.getInstance();
      CharacterDefinition characters = unknown.getCharacterDefinition();
      List<int[]> unknownWords = new ArrayList<>();
      for (int c = 0; c < CharacterDefinition.CLASS_COUNT; c++) {
        unknown.lookupWordIds(c, ids);
        int[] words = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
          words[i] = ids.ints[ids.offset + i];
          forwardSize = Math.max(forwardSize, unknown.getRightId(words[i]) + 1);
          backwardSize = Math.max(backwardSize, unknown.getLeftId(words[i]) + 1);
        }
        unknownWords.add(words);
      }
      out.writeShort(forwardSize);
      out.writeShort(backwardSize);
      short[] previousRow = new short[backwardSize];
      for (int f = 0; f < forwardSize; f++) {
        for (int b = 0; b < backwardSize; b++) {
          short cost = (short) costs.get(f, b);
          out.writeShort((short) (cost - previousRow[b]));
          previousRow[b] = cost;
        }
      }

      // Character classes and unknown words.
      out.writeByte(CharacterDefinition.CLASS_COUNT);
      for (int ch = 0; ch <= 0xFFFF; ch++) out.writeByte(characters.getCharacterClass((char) ch));
      for (int ch = 0; ch <= 0xFFFF; ch++)
        out.writeByte((characters.isInvoke((char) ch) ? 1 : 0) | (characters.isGroup((char) ch) ? 2 : 0));
      for (int c = 0; c < CharacterDefinition.CLASS_COUNT; c++) {
        int[] words = unknownWords.get(c);
        out.writeByte(words.length);
        for (int wordId : words) writeWord(out, unknown, wordId);
      }

      // The JVM's general category and script of every UTF-16 code unit.
      for (int ch = 0; ch <= 0xFFFF; ch++) out.writeByte(Character.getType(ch));
      Character.UnicodeScript[] scripts = Character.UnicodeScript.values();
      out.writeByte(Character.UnicodeScript.COMMON.ordinal());
      out.writeByte(Character.UnicodeScript.INHERITED.ordinal());
      for (int ch = 0; ch <= 0xFFFF; ch++) out.writeByte(Character.UnicodeScript.of(ch).ordinal());
      System.err.println(surfaces.size() + " surfaces, " + wordIdOf.length + " words, costs " + forwardSize + "x" + backwardSize
          + ", " + scripts.length + " scripts");
    }
  }

  static void writeWord(DataOutputStream out, Dictionary dictionary, int wordId) throws IOException {
    out.writeShort(dictionary.getLeftId(wordId));
    out.writeShort(dictionary.getRightId(wordId));
    out.writeShort(dictionary.getWordCost(wordId));
    out.writeByte(dictionary.getPOSType(wordId).ordinal());
    out.writeByte(dictionary.getLeftPOS(wordId).ordinal());
    out.writeByte(dictionary.getRightPOS(wordId).ordinal());
  }

  static void writeString(DataOutputStream out, String s) throws IOException {
    if (s == null) {
      out.writeShort(0xFFFF);
      return;
    }
    out.writeShort(s.length());
    out.writeChars(s);
  }

  @SuppressWarnings("unchecked")
  static FST<Long> internalFst(TokenInfoFST fst) throws ReflectiveOperationException {
    Field field = TokenInfoFST.class.getDeclaredField("fst");
    field.setAccessible(true);
    return (FST<Long>) field.get(fst);
  }
}
