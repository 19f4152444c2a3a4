package io.vminfo.sysevent.internal.xml;

import io.vminfo.sysevent.internal.host.HostFileException;
import java.io.ByteArrayInputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.XMLConstants;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * Parses untrusted host XML (zonecfg, libvirt) into {@link XmlElement} trees.
 *
 * <p>DTDs are not processed: a {@code <!DOCTYPE>} that only names an external DTD (zonecfg
 * files do) is skipped without loading it, a DOCTYPE that declares entities is refused, and an
 * entity reference other than the five XML built-ins is an error. So external entities (XXE) and
 * entity expansion ("billion laughs") are impossible. Depth and element count are capped; the
 * caller caps the byte size.
 */
public final class SafeXml {
  public static final int MAX_DEPTH = 64;
  public static final int MAX_ELEMENTS = 200_000;

  private static final XMLInputFactory FACTORY = newFactory();

  private SafeXml() {}

  private static XMLInputFactory newFactory() {
    XMLInputFactory f = XMLInputFactory.newFactory();
    f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
    f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
    f.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, true);
    f.setProperty(XMLInputFactory.IS_COALESCING, true);
    f.setProperty(XMLConstants.ACCESS_EXTERNAL_DTD, "");
    f.setXMLResolver((publicId, systemId, baseUri, namespace) -> {
      throw new XMLStreamException("external resource " + systemId + " refused");
    });
    return f;
  }

  /** Parses {@code xml}; {@code what} names the input in error messages (usually the file). */
  public static XmlElement parse(byte[] xml, String what) throws HostFileException {
    refuseInternalSubsetDeclarations(xml, what);
    XMLStreamReader r = null;
    try {
      r = FACTORY.createXMLStreamReader(new ByteArrayInputStream(xml));
      Deque<Builder> stack = new ArrayDeque<>();
      XmlElement root = null;
      int elements = 0;
      while (r.hasNext()) {
        int ev = r.next();
        switch (ev) {
          case XMLStreamConstants.DTD -> {
            String dtd = r.getText();
            if (dtd != null && (dtd.contains("<!ENTITY") || dtd.contains("<!ATTLIST"))) {
              throw new HostFileException("PARSE_ERROR",
                  what + ": DTD declarations (entities) are not allowed");
            }
          }
          case XMLStreamConstants.START_ELEMENT -> {
            if (++elements > MAX_ELEMENTS) {
              throw new HostFileException("PARSE_ERROR", what + ": more than " + MAX_ELEMENTS + " elements");
            }
            if (stack.size() >= MAX_DEPTH) {
              throw new HostFileException("PARSE_ERROR", what + ": nested deeper than " + MAX_DEPTH);
            }
            Map<String, String> attrs = new LinkedHashMap<>();
            for (int i = 0; i < r.getAttributeCount(); i++) {
              attrs.put(r.getAttributeLocalName(i), r.getAttributeValue(i));
            }
            String ns = r.getNamespaceURI();
            stack.push(new Builder(ns == null ? "" : ns, r.getLocalName(), attrs));
          }
          case XMLStreamConstants.CHARACTERS, XMLStreamConstants.CDATA, XMLStreamConstants.SPACE -> {
            if (!stack.isEmpty()) {
              stack.peek().text.append(r.getText());
            }
          }
          case XMLStreamConstants.ENTITY_REFERENCE -> throw new HostFileException("PARSE_ERROR",
              what + ": entity reference &" + r.getLocalName() + "; is not allowed");
          case XMLStreamConstants.END_ELEMENT -> {
            XmlElement done = stack.pop().build();
            if (stack.isEmpty()) {
              root = done;
            } else {
              stack.peek().children.add(done);
            }
          }
          default -> {
            // comments, processing instructions, document start/end
          }
        }
      }
      if (root == null) {
        throw new HostFileException("PARSE_ERROR", what + ": no root element");
      }
      return root;
    } catch (XMLStreamException e) {
      String msg = e.getMessage() == null ? e.toString() : e.getMessage().replaceAll("\\s+", " ");
      throw new HostFileException("PARSE_ERROR", what + ": malformed XML: " + msg, e);
    } catch (RuntimeException e) {
      throw new HostFileException("PARSE_ERROR", what + ": malformed XML: " + e, e);
    } finally {
      if (r != null) {
        try {
          r.close();
        } catch (XMLStreamException ignored) {
          // nothing to release beyond the byte array
        }
      }
    }
  }

  /**
   * The StAX parser skips a DOCTYPE's internal subset without reporting it, so entity (and
   * attribute default) declarations are looked for in the raw prolog and refused outright.
   */
  private static void refuseInternalSubsetDeclarations(byte[] xml, String what)
      throws HostFileException {
    String head = new String(xml, 0, Math.min(xml.length, 64 * 1024),
        java.nio.charset.StandardCharsets.ISO_8859_1);
    int doctype = head.indexOf("<!DOCTYPE");
    if (doctype < 0) {
      return;
    }
    int open = head.indexOf('[', doctype);
    int close = head.indexOf('>', doctype);
    if (open < 0 || (close >= 0 && close < open)) {
      return; // no internal subset: only a reference to an external DTD, which is never loaded
    }
    int end = head.indexOf("]>", open);
    String subset = head.substring(open, end < 0 ? head.length() : end);
    if (subset.contains("<!ENTITY") || subset.contains("<!ATTLIST") || subset.contains("%")) {
      throw new HostFileException("PARSE_ERROR",
          what + ": DTD declarations (entities) are not allowed");
    }
  }

  private static final class Builder {
    final String ns;
    final String name;
    final Map<String, String> attrs;
    final List<XmlElement> children = new ArrayList<>();
    final StringBuilder text = new StringBuilder();

    Builder(String ns, String name, Map<String, String> attrs) {
      this.ns = ns;
      this.name = name;
      this.attrs = attrs;
    }

    XmlElement build() {
      return new XmlElement(ns, name, attrs, children, text.toString().trim());
    }
  }
}
