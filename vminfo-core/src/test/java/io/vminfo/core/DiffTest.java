package io.vminfo.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.vminfo.core.internal.Json;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The diff engine's semantics, written by us so they are checked even without ../shared. */
class DiffTest {
  private static JsonNode json(String text) {
    try {
      return Json.MAPPER.readTree(text.replace('\'', '"'));
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  private static String diff(String a, String b, DiffOptions options) {
    ArrayNode out = Json.NODES.arrayNode();
    JsonDiff.diff(json(a), json(b), options).forEach(c -> out.add(c.toJson()));
    return Json.string(out).replace('"', '\'');
  }

  private static String diff(String a, String b) {
    return diff(a, b, DiffOptions.NONE);
  }

  @Test
  void objectsReportRemovedChangedThenAddedInKeyOrder() {
    assertThat(diff("{'z':1,'y':true,'x':'s'}", "{'x':'t','z':1,'w':null}"))
        .isEqualTo(
            "[{'prettyPath':'y','path':['y'],'action':'removed','oldValue':true},"
                + "{'prettyPath':'x','path':['x'],'action':'changed','oldValue':'s','newValue':'t'},"
                + "{'prettyPath':'w','path':['w'],'action':'added','newValue':null}]");
  }

  @Test
  void integerLikeKeysComeFirstInAscendingOrderAsJavaScriptEnumeratesThem() {
    // Object.keys({"b":1,"10":1,"9":1,"01":1,"4294967295":1,"4294967294":1}) is
    // ["9","10","4294967294","b","01","4294967295"]: only canonical indices below 2^32-1 move.
    assertThat(diff("{'b':1,'10':1,'9':1,'01':1,'4294967295':1,'4294967294':1}", "{}"))
        .isEqualTo(
            "[{'prettyPath':'9','path':['9'],'action':'removed','oldValue':1},"
                + "{'prettyPath':'10','path':['10'],'action':'removed','oldValue':1},"
                + "{'prettyPath':'4294967294','path':['4294967294'],'action':'removed','oldValue':1},"
                + "{'prettyPath':'b','path':['b'],'action':'removed','oldValue':1},"
                + "{'prettyPath':'01','path':['01'],'action':'removed','oldValue':1},"
                + "{'prettyPath':'4294967295','path':['4294967295'],'action':'removed','oldValue':1}]");
    assertThat(diff("{'m':{}}", "{'m':{'x':1,'10':2,'2':3}}"))
        .isEqualTo(
            "[{'prettyPath':'m.2','path':['m','2'],'action':'added','newValue':3},"
                + "{'prettyPath':'m.10','path':['m','10'],'action':'added','newValue':2},"
                + "{'prettyPath':'m.x','path':['m','x'],'action':'added','newValue':1}]");
  }

  @Test
  void identicalDocumentsHaveNoChanges() {
    assertThat(diff("{'a':{'b':[1,{'c':2}]}}", "{'a':{'b':[1,{'c':2}]}}")).isEqualTo("[]");
  }

  @Test
  void nestedPathsAreJoinedWithDots() {
    assertThat(diff("{'a':{'b':{'c':1}}}", "{'a':{'b':{'c':2,'d':3}}}"))
        .isEqualTo(
            "[{'prettyPath':'a.b.c','path':['a','b','c'],'action':'changed','oldValue':1,'newValue':2},"
                + "{'prettyPath':'a.b.d','path':['a','b','d'],'action':'added','newValue':3}]");
  }

  @Test
  void aRemovedSubtreeIsOneChange() {
    assertThat(diff("{'a':{'b':{'c':1}}}", "{}"))
        .isEqualTo("[{'prettyPath':'a','path':['a'],'action':'removed','oldValue':{'b':{'c':1}}}]");
  }

  @Test
  void arraysAreSetsOfCanonicalJson() {
    assertThat(diff("{'r':['a','b','b']}", "{'r':['b','c','a']}"))
        .isEqualTo("[{'prettyPath':'r.*','path':['r',null],'action':'added','newValue':'c'}]");
    assertThat(diff("{'r':[{'x':1,'y':2}]}", "{'r':[{'y':2,'x':1}]}"))
        .as("element identity is JSON.stringify, so key order matters without a map")
        .isEqualTo(
            "[{'prettyPath':'r.*','path':['r',null],'action':'removed','oldValue':{'x':1,'y':2}},"
                + "{'prettyPath':'r.*','path':['r',null],'action':'added','newValue':{'y':2,'x':1}}]");
  }

  @Test
  void eachCopyOfADuplicateThatAppearsOrDisappearsIsReported() {
    // diff.js: {"x":[1,1]} -> {"x":[]} is two removals; a value still present is no change.
    assertThat(diff("{'x':[1,1]}", "{'x':[]}"))
        .isEqualTo(
            "[{'prettyPath':'x.*','path':['x',null],'action':'removed','oldValue':1},"
                + "{'prettyPath':'x.*','path':['x',null],'action':'removed','oldValue':1}]");
    assertThat(diff("{'x':[2]}", "{'x':[2,3,3]}"))
        .isEqualTo(
            "[{'prettyPath':'x.*','path':['x',null],'action':'added','newValue':3},"
                + "{'prettyPath':'x.*','path':['x',null],'action':'added','newValue':3}]");
    assertThat(diff("{'x':[1,1]}", "{'x':[1]}")).isEqualTo("[]");
  }

  @Test
  void largeArraysReportEachCopyOfADuplicateToo() {
    StringBuilder a = new StringBuilder("{'r':[");
    StringBuilder b = new StringBuilder("{'r':[");
    for (int i = 0; i < 40; i++) {
      a.append(i == 0 ? "" : ",").append(i % 20);
      if (i % 20 != 19) {
        b.append(i == 0 ? "" : ",").append(i % 20);
      }
    }
    assertThat(diff(a + "]}", b + "]}"))
        .isEqualTo(
            "[{'prettyPath':'r.*','path':['r',null],'action':'removed','oldValue':19},"
                + "{'prettyPath':'r.*','path':['r',null],'action':'removed','oldValue':19}]");
  }

  @Test
  void largeArraysGiveTheSameSetDifferenceAsSmallOnes() {
    StringBuilder a = new StringBuilder("{'r':[");
    StringBuilder b = new StringBuilder("{'r':[");
    for (int i = 0; i < 40; i++) {
      a.append(i == 0 ? "" : ",").append(i);
      b.append(i == 0 ? "" : ",").append(39 - i + (i == 5 ? 100 : 0)).append(i == 7 ? ",7" : "");
    }
    assertThat(diff(a + "]}", b + "]}"))
        .isEqualTo(
            "[{'prettyPath':'r.*','path':['r',null],'action':'removed','oldValue':34},"
                + "{'prettyPath':'r.*','path':['r',null],'action':'added','newValue':134}]");
  }

  @Test
  void numbersCompareByValue() {
    assertThat(diff("{'a':1,'b':[2]}", "{'a':1.0,'b':[2.0]}")).isEqualTo("[]");
    assertThat(diff("{'a':1}", "{'a':'1'}"))
        .isEqualTo(
            "[{'prettyPath':'a','path':['a'],'action':'changed','oldValue':1,'newValue':'1'}]");
  }

  @Test
  void identityKeyedArraysPairElementsAndCarryIdent() {
    String a =
        "{'nics':[{'mac':'m1','ip':'1','o':{'t':['x']}},{'mac':'m2'}],'disks':[{'path':'/a','size':1}]}";
    String b =
        "{'nics':[{'mac':'m3'},{'ip':'9','o':{'t':['y']},'mac':'m1'}],'disks':[{'path':'/a','size':2}]}";
    assertThat(diff(a, b, DiffOptions.VM))
        .isEqualTo(
            "["
                + "{'prettyPath':'nics.*','path':['nics',null],'action':'removed','oldValue':{'mac':'m2'}},"
                + "{'prettyPath':'nics.*.ip','path':['nics',null,'ip'],'action':'changed','oldValue':'1','newValue':'9','ident':'m1'},"
                + "{'prettyPath':'nics.*.o.t.*','path':['nics',null,'o','t',null],'action':'removed','oldValue':'x','ident':'m1'},"
                + "{'prettyPath':'nics.*.o.t.*','path':['nics',null,'o','t',null],'action':'added','newValue':'y','ident':'m1'},"
                + "{'prettyPath':'nics.*','path':['nics',null],'action':'added','newValue':{'mac':'m3'}},"
                + "{'prettyPath':'disks.*.size','path':['disks',null,'size'],'action':'changed','oldValue':1,'newValue':2,'ident':'/a'}]");
  }

  @Test
  void identityMatchingAppliesOnlyAtTheTopLevel() {
    assertThat(
            diff(
                "{'x':{'nics':[{'mac':'m','a':1}]}}",
                "{'x':{'nics':[{'mac':'m','a':2}]}}",
                DiffOptions.VM))
        .isEqualTo(
            "[{'prettyPath':'x.nics.*','path':['x','nics',null],'action':'removed','oldValue':{'mac':'m','a':1}},"
                + "{'prettyPath':'x.nics.*','path':['x','nics',null],'action':'added','newValue':{'mac':'m','a':2}}]");
  }

  @Test
  void duplicateIdentitiesPairOneToOneInOrder() {
    assertThat(
            diff(
                "{'disks':[{'path':'p','s':1},{'path':'p','s':2}]}",
                "{'disks':[{'path':'p','s':3},{'path':'p','s':4}]}",
                DiffOptions.VM))
        .isEqualTo(
            "[{'prettyPath':'disks.*.s','path':['disks',null,'s'],'action':'changed','oldValue':1,'newValue':3,'ident':'p'},"
                + "{'prettyPath':'disks.*.s','path':['disks',null,'s'],'action':'changed','oldValue':2,'newValue':4,'ident':'p'}]");
    assertThat(
            diff(
                "{'disks':[{'path':'p','s':1},{'path':'p','s':2}]}",
                "{'disks':[{'path':'p','s':3}]}",
                DiffOptions.VM))
        .isEqualTo(
            "[{'prettyPath':'disks.*','path':['disks',null],'action':'removed','oldValue':{'path':'p','s':2}},"
                + "{'prettyPath':'disks.*.s','path':['disks',null,'s'],'action':'changed','oldValue':1,'newValue':3,'ident':'p'}]");
  }

  @Test
  void identityAbsentOnBothSidesPairsAndObjectIdentitiesNever() {
    assertThat(diff("{'nics':[{'ip':'1'}]}", "{'nics':[{'ip':'2'}]}", DiffOptions.VM))
        .isEqualTo(
            "[{'prettyPath':'nics.*.ip','path':['nics',null,'ip'],'action':'changed','oldValue':'1','newValue':'2'}]");
    assertThat(
            diff(
                "{'nics':[{'mac':{'v':1},'ip':'1'}]}",
                "{'nics':[{'mac':{'v':1},'ip':'2'}]}",
                DiffOptions.VM))
        .isEqualTo(
            "[{'prettyPath':'nics.*','path':['nics',null],'action':'removed','oldValue':{'mac':{'v':1},'ip':'1'}},"
                + "{'prettyPath':'nics.*','path':['nics',null],'action':'added','newValue':{'mac':{'v':1},'ip':'2'}}]");
  }

  @Test
  void aNonObjectAddedElementLeavesTheOthersPairing() {
    assertThat(
            diff(
                "{'nics':[{'mac':'m','ip':'1'}]}",
                "{'nics':[5,{'mac':'m','ip':'2'}]}",
                DiffOptions.VM))
        .isEqualTo(
            "[{'prettyPath':'nics.*.ip','path':['nics',null,'ip'],'action':'changed','oldValue':'1','newValue':'2','ident':'m'},"
                + "{'prettyPath':'nics.*','path':['nics',null],'action':'added','newValue':5}]");
  }

  @Test
  void prettyPathBracketsAndEscapesKeysWithSpecialCharacters() {
    assertThat(
            diff(
                "{'m':{'a.b':1,'c[d]':1,'e':{'f.g':1}}}", "{'m':{'a.b':2,'c[d]':2,'e':{'f.g':2}}}"))
        .isEqualTo(
            "[{'prettyPath':'m[a.b]','path':['m','a.b'],'action':'changed','oldValue':1,'newValue':2},"
                + "{'prettyPath':'m[c\\\\[d\\\\]]','path':['m','c[d]'],'action':'changed','oldValue':1,'newValue':2},"
                + "{'prettyPath':'m.e[f.g]','path':['m','e','f.g'],'action':'changed','oldValue':1,'newValue':2}]");
  }

  @Test
  void arrayAgainstObjectIsComparedByIndexKeys() {
    assertThat(diff("{'x':[1]}", "{'x':{'a':1}}"))
        .isEqualTo(
            "[{'prettyPath':'x.0','path':['x','0'],'action':'removed','oldValue':1},"
                + "{'prettyPath':'x.a','path':['x','a'],'action':'added','newValue':1}]");
  }

  @Test
  void anEmptyContainerSwitchingTypeIsAChange() {
    assertThat(diff("{'x':{}}", "{'x':[]}"))
        .isEqualTo(
            "[{'prettyPath':'x','path':['x'],'action':'changed','oldValue':{},'newValue':[]}]");
  }

  @Test
  void integersBeyondTwoToTheFiftyThirdAreComparedExactly() {
    // In JavaScript both parse to the double 9007199254740992, so diff.js sees no change; a
    // counter or a size this large is compared exactly here, and so is 1 against 1.0.
    assertThat(diff("{'n':9007199254740993}", "{'n':9007199254740992}"))
        .isEqualTo(
            "[{'prettyPath':'n','path':['n'],'action':'changed','oldValue':9007199254740993,"
                + "'newValue':9007199254740992}]");
    assertThat(diff("{'n':18446744073709551617}", "{'n':18446744073709551617}")).isEqualTo("[]");
  }

  @Test
  void whereDiffJsThrowsAPlainChangeIsReported() {
    assertThat(diff("{'x':null}", "{'x':{'a':1}}"))
        .isEqualTo(
            "[{'prettyPath':'x','path':['x'],'action':'changed','oldValue':null,'newValue':{'a':1}}]");
    assertThat(diff("{'x':{'a':1}}", "{'x':null}"))
        .isEqualTo(
            "[{'prettyPath':'x','path':['x'],'action':'changed','oldValue':{'a':1},'newValue':null}]");
    assertThat(diff("'a'", "'b'"))
        .isEqualTo(
            "[{'prettyPath':'','path':[],'action':'changed','oldValue':'a','newValue':'b'}]");
    assertThat(diff("'a'", "'a'")).isEqualTo("[]");
    assertThat(diff("{'disks':[1]}", "{'disks':[2]}", DiffOptions.VM))
        .isEqualTo(
            "[{'prettyPath':'disks.*','path':['disks',null],'action':'removed','oldValue':1},"
                + "{'prettyPath':'disks.*','path':['disks',null],'action':'added','newValue':2}]");
    assertThat(diff("{'x':{'a':1}}", "{'x':5}"))
        .isEqualTo(
            "[{'prettyPath':'x','path':['x'],'action':'changed','oldValue':{'a':1},'newValue':5}]");
  }

  @Test
  void topLevelArrays() {
    assertThat(diff("[1,2]", "[2,3]"))
        .isEqualTo(
            "[{'prettyPath':'*','path':[null],'action':'removed','oldValue':1},"
                + "{'prettyPath':'*','path':[null],'action':'added','newValue':3}]");
  }

  @Test
  void changesRoundTripThroughTheirWireForm() {
    List<Change> changes =
        JsonDiff.diff(
            json("{'nics':[{'mac':'m','a':1}],'k':'v'}"),
            json("{'nics':[{'mac':'m','a':2}]}"),
            DiffOptions.VM);
    for (Change c : changes) {
      assertThat(Change.fromJson(c.toJson())).isEqualTo(c);
    }
    assertThat(changes.get(0).ident()).contains(json("'m'"));
  }

  @Test
  void optionsValidate() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new DiffOptions(Map.of("", "x")))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
