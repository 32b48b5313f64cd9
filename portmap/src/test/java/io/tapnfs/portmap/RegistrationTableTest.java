package io.tapnfs.portmap;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class RegistrationTableTest {
  static Registration reg(int prog, int vers, Netid n, int port) {
    return new Registration(prog, vers, n, port, "o");
  }

  @Test
  void findPrefersTheExactVersionWhereverItIs() {
    var t = List.of(reg(7, 1, Netid.TCP, 701), reg(7, 2, Netid.TCP, 702),
        reg(7, 3, Netid.TCP, 703));
    assertThat(RegistrationTable.find(t, 7, 2, Netid.TCP, false).port()).isEqualTo(702);
    assertThat(RegistrationTable.find(t, 7, 2, Netid.TCP, true).port()).isEqualTo(702);
  }

  @Test
  void findFallsBackToTheLastOtherVersionUnlessExact() {
    var t = List.of(reg(7, 1, Netid.TCP, 701), reg(7, 3, Netid.TCP, 703),
        reg(7, 9, Netid.UDP, 709));
    assertThat(RegistrationTable.find(t, 7, 5, Netid.TCP, false).port()).isEqualTo(703);
    assertThat(RegistrationTable.find(t, 7, 5, Netid.TCP, true)).isNull();
    assertThat(RegistrationTable.find(t, 7, 5, null, false).port()).isEqualTo(709);
    assertThat(RegistrationTable.find(t, 8, 1, null, false)).isNull();
  }

  @Test
  void putRemoveAndCapacity() {
    var t = new RegistrationTable(2);
    assertThat(t.put(reg(1, 1, Netid.TCP, 1))).isEqualTo(RegistrationTable.Put.ADDED);
    assertThat(t.put(reg(1, 1, Netid.UDP, 1))).isEqualTo(RegistrationTable.Put.ADDED);
    assertThat(t.put(reg(2, 1, Netid.UDP, 1))).isEqualTo(RegistrationTable.Put.FULL);
    assertThat(t.put(reg(1, 1, Netid.UDP, 9))).isEqualTo(RegistrationTable.Put.REPLACED);
    assertThat(t.snapshot()).containsExactly(reg(1, 1, Netid.TCP, 1), reg(1, 1, Netid.UDP, 9));
    assertThat(t.remove(1, 1, Netid.TCP)).isTrue();
    assertThat(t.remove(1, 1, Netid.TCP)).isFalse();
    assertThat(t.snapshot()).containsExactly(reg(1, 1, Netid.UDP, 9));
  }

  @Test
  void aSnapshotDoesNotChangeUnderneath() {
    var t = new RegistrationTable(4);
    t.put(reg(1, 1, Netid.TCP, 1));
    List<Registration> before = t.snapshot();
    t.put(reg(2, 1, Netid.TCP, 2));
    t.remove(1, 1, Netid.TCP);
    assertThat(before).containsExactly(reg(1, 1, Netid.TCP, 1));
  }
}
