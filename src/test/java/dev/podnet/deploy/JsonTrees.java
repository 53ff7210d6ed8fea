package dev.podnet.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.TreeSet;

/** Field-by-field differences of two JSON trees, as readable paths, for assertion messages. */
public final class JsonTrees {
    private JsonTrees() {
    }

    public static List<String> diff(JsonNode a, JsonNode b) {
        List<String> out = new ArrayList<>();
        diff("", a, b, out);
        return out;
    }

    private static void diff(String path, JsonNode a, JsonNode b, List<String> out) {
        if (a == null || b == null || a.getNodeType() != b.getNodeType()) {
            out.add(path + ": " + a + " <> " + b);
            return;
        }
        if (a.isObject()) {
            TreeSet<String> names = new TreeSet<>();
            a.fieldNames().forEachRemaining(names::add);
            b.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                diff(path + "." + name, a.get(name), b.get(name), out);
            }
        } else if (a.isArray()) {
            if (a.size() != b.size()) {
                out.add(path + ": " + a.size() + " items <> " + b.size() + " items: " + a + " <> " + b);
                return;
            }
            Iterator<JsonNode> ia = a.elements();
            Iterator<JsonNode> ib = b.elements();
            for (int i = 0; ia.hasNext(); i++) {
                diff(path + "[" + i + "]", ia.next(), ib.next(), out);
            }
        } else if (!a.equals(b)) {
            out.add(path + ": " + a + " <> " + b);
        }
    }
}
