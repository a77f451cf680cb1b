# language: ja
@follow_up
機能: 経過観察 - 再評価と治療の段階
  どの治療計画にも再評価の時期を示す：当院が別の間隔を設定しない限り12週後、緊急または至急の
  項目があれば1週間後。今行うことに
  加えて次の段階も示す：再評価の時点で今の治療が効いていなければプロトコルが次に進む治療で、
  医師は患者の今の位置から先の道筋全体を見ることができる。脚はそれぞれ別に経過を見る：片脚の
  所見、治療歴、禁忌は反対側の脚に影響しない。片脚を超えて及ぶのは、患者全体に対する生活指導と、
  安全確認の危険徴候だけである。

  @FINDING_VENOUS_DISEASE_CEAP @VEIN_STOCKINGS
  ルール: 当院が別の間隔を設定しない限り、治療計画は12週後に再評価する

    シナリオ: 再評価は12週後
      前提 60歳の男性
      かつ 右脚の所見は次のとおり
        | CEAP分類 | C2 |
      もし 治療計画を立てる
      ならば 12週後に再評価する

    シナリオ: 当院の設定で8週後に再評価する
      前提 60歳の男性
      かつ 当院では再評価を8週後とする
      かつ 右脚の所見は次のとおり
        | CEAP分類 | C2 |
      もし 治療計画を立てる
      ならば 8週後に再評価する
      かつ 右脚では弾性ストッキングが推奨となる

  @FINDING_SUPERFICIAL_REFLUX_GSV @FINDING_VENOUS_DISEASE_CEAP @VEIN_ENDOVENOUS_CANDIDATE
  ルール: 次の段階は、患者の今の位置から先の治療の道筋を示す

    @VEIN_STOCKINGS @VEIN_STOCKINGS_PRESSURE_MILD @VEIN_ENDOVENOUS_NEXT_STEP
    @FINDING_UNTREATED_REFLUX_GSV
    シナリオ: 症状のない静脈瘤は、今は弾性ストッキング、再評価で改善しなければ血管内治療
      前提 60歳の男性
      かつ 右脚の所見は次のとおり
        | CEAP分類                   | C2                             |
        | 大伏在静脈の逆流時間（ms） | 900                            |
        | 大伏在静脈の径（mm）       | 6                              |
      もし 治療計画を立てる
      ならば 右脚の静脈の治療は次のとおり
        | 弾性ストッキング | 推奨     |
        | 血管内焼灼術     | 次の段階 |
        | グルー治療       | 次の段階 |
      かつ 右脚で次の段階となる治療は次のとおり
        | 血管内焼灼術 | 次の段階 |
        | グルー治療   | 次の段階 |
      かつ 12週後に再評価する

    @VEIN_STOCKINGS @FINDING_STOCKINGS_FAILED_COURSE @VEIN_ENDOVENOUS_QUALIFIES
    @VEIN_THERMAL_ABLATION @VEIN_GLUE_OPTION
    シナリオ: 弾性ストッキングを12週間使って十分に改善しなければ、再評価の時点で血管内治療を行う
      前提 60歳の男性
      かつ 右脚の所見は次のとおり
        | 静脈の症状                 | 脚のだるさ・重さ、夕方のむくみ |
        | CEAP分類                   | C2                             |
        | 大伏在静脈の逆流時間（ms） | 900                            |
        | 大伏在静脈の径（mm）       | 6                              |
      かつ 右脚で弾性ストッキングによる圧迫療法を12週間行い、一部改善した
      もし 治療計画を立てる
      ならば 右脚の静脈の治療は次のとおり
        | 弾性ストッキング | 推奨   |
        | 血管内焼灼術     | 推奨   |
        | グルー治療       | 選択肢 |
      かつ 右脚に次の段階となる治療はない

    @FINDING_VASCULAR_PAIN_VENOUS @VEIN_ENDOVENOUS_OPTION @VEIN_VEINS_FIRST
    @SELF_PAY_IA_VEINS_FIRST @SELF_PAY_EXOSOME_VEINS_FIRST @FINDING_UNTREATED_REFLUX_GSV
    @FINDING_KNEE_CARE_FAILED
    シナリオ: 血管性の可能性がある膝の痛み - まず静脈を治療し、その後に自費診療の膝の治療
      前提 60歳の男性
      かつ 患者の状況は次のとおり
        | eGFR           | 70   |
        | 自費診療の希望 | あり |
      かつ 右脚の所見は次のとおり
        | 膝の痛み（NRS）            | 6                  |
        | 膝の痛みの出方             | 立ち仕事の後に悪化 |
        | KL分類                     | 2                  |
        | 静脈の症状                 | 脚のだるさ・重さ   |
        | CEAP分類                   | C2                 |
        | 大伏在静脈の逆流時間（ms） | 900                |
        | 大伏在静脈の径（mm）       | 6                  |
      かつ 右膝で運動療法を16週間行い、一部改善した
      かつ 右膝でヒアルロン酸注射を16週間行い、一部改善した
      もし 治療計画を立てる
      ならば 右脚では弾性ストッキングが推奨となる
      かつ 右脚では血管内焼灼術が選択肢となる
      かつ 右脚は静脈の治療を先に行う対象に該当する
      かつ 右脚で次の段階となる治療は次のとおり
        | 動注治療         | 次の段階 |
        | エクソソーム注射 | 次の段階 |

  ルール: 脚はそれぞれ別に経過を見る - 片脚についての判断が反対側の脚に及ぶことはない

    @FINDING_SUPERFICIAL_REFLUX_GSV @FINDING_VENOUS_DISEASE_CEAP @VEIN_STOCKINGS
    @VEIN_STOCKINGS_PRESSURE_STRONG @VEIN_STOCKINGS_PRESSURE_MILD @VEIN_ENDOVENOUS_CANDIDATE
    @VEIN_ENDOVENOUS_QUALIFIES @VEIN_THERMAL_ABLATION @VEIN_GLUE_OPTION
    シナリオ: 逆流のある脚だけが血管内治療へ進む
      前提 60歳の女性
      かつ 右脚の所見は次のとおり
        | 静脈の症状                 | 脚のだるさ・重さ、夕方のむくみ |
        | CEAP分類                   | C3                             |
        | 大伏在静脈の逆流時間（ms） | 900                            |
        | 大伏在静脈の径（mm）       | 6                              |
      かつ 左脚の所見は次のとおり
        | 静脈の症状 | 青く目立つ血管 |
        | CEAP分類   | C2             |
      もし 治療計画を立てる
      ならば 右脚の静脈の治療は次のとおり
        | 弾性ストッキング | 推奨   |
        | 血管内焼灼術     | 推奨   |
        | グルー治療       | 選択肢 |
      かつ 左脚の静脈の治療は次のとおり
        | 下肢静脈エコー検査 | 推奨 |
        | 弾性ストッキング   | 推奨 |
      かつ 右脚では弾性ストッキングが推奨となる
      かつ 圧迫圧は30〜40mmHgとなる
      かつ 左脚では弾性ストッキングが推奨となる
      かつ 圧迫圧は20〜30mmHgとなる

    @FINDING_SUPERFICIAL_REFLUX_GSV @FINDING_VENOUS_DISEASE_CEAP @VEIN_ENDOVENOUS_CANDIDATE
    @FINDING_STOCKINGS_FAILED_COURSE @VEIN_ENDOVENOUS_QUALIFIES @VEIN_THERMAL_ABLATION
    @VEIN_ENDOVENOUS_OPTION
    シナリオ: 片脚で改善しなかった弾性ストッキングは、その脚だけを血管内治療の推奨にする
      前提 60歳の男性
      かつ 右脚の所見は次のとおり
        | 静脈の症状                 | 脚のだるさ・重さ |
        | CEAP分類                   | C2               |
        | 大伏在静脈の逆流時間（ms） | 900              |
        | 大伏在静脈の径（mm）       | 6                |
      かつ 左脚の所見は次のとおり
        | 静脈の症状                 | 脚のだるさ・重さ |
        | CEAP分類                   | C2               |
        | 大伏在静脈の逆流時間（ms） | 900              |
        | 大伏在静脈の径（mm）       | 6                |
      かつ 右脚で弾性ストッキングによる圧迫療法を12週間行ったが、効果がなかった
      もし 治療計画を立てる
      ならば 右脚では血管内焼灼術が推奨となる
      かつ その根拠に弾性ストッキングの無効が含まれる
      かつ 左脚では血管内焼灼術が選択肢となる
      かつ 左脚は弾性ストッキングの無効に該当しない

    @FINDING_SUPERFICIAL_REFLUX_GSV @FINDING_VENOUS_DISEASE_CEAP @VEIN_ENDOVENOUS_CANDIDATE
    @VEIN_ENDOVENOUS_QUALIFIES @VEIN_THERMAL_ABLATION @VEIN_GLUE_OPTION
    シナリオ: 治療済みの脚があっても、反対側の脚の治療は妨げない
      前提 60歳の男性
      かつ 右脚の所見は次のとおり
        | 静脈の症状                 | 脚のだるさ・重さ |
        | CEAP分類                   | C3               |
        | 大伏在静脈の逆流時間（ms） | 900              |
        | 大伏在静脈の径（mm）       | 6                |
      かつ 左脚の所見は次のとおり
        | 静脈の症状                 | 脚のだるさ・重さ |
        | CEAP分類                   | C3               |
        | 大伏在静脈の逆流時間（ms） | 900              |
        | 大伏在静脈の径（mm）       | 6                |
      かつ 右脚に血管内焼灼術を26週前に行い、十分に改善した
      もし 治療計画を立てる
      ならば 右脚では血管内焼灼術は提示されない
      かつ 右脚ではグルー治療は提示されない
      かつ 左脚では血管内焼灼術が推奨となる
      かつ 左脚ではグルー治療が選択肢となる

    @FINDING_SUPERFICIAL_REFLUX_GSV @VEIN_ENDOVENOUS_CANDIDATE @VEIN_ENDOVENOUS_QUALIFIES
    @VEIN_ENDOVENOUS_WAITS_FOR_SVT @VEIN_THERMAL_ABLATION @VEIN_GLUE_OPTION @FINDING_SVT_ACUTE
    シナリオ: 片脚の表在静脈血栓症は、その脚の血管内治療だけを保留にする
      前提 60歳の男性
      かつ 右脚の所見は次のとおり
        | 静脈の症状                 | 脚のだるさ・重さ |
        | CEAP分類                   | C3               |
        | 大伏在静脈の逆流時間（ms） | 900              |
        | 大伏在静脈の径（mm）       | 6                |
      かつ 左脚の所見は次のとおり
        | 静脈の症状                 | 脚のだるさ・重さ |
        | CEAP分類                   | C3               |
        | 急性表在性血栓性静脈炎     | あり             |
        | 大伏在静脈の逆流時間（ms） | 900              |
        | 大伏在静脈の径（mm）       | 6                |
      もし 治療計画を立てる
      ならば 左脚では血管内焼灼術が表在静脈血栓症のため保留となる
      かつ 左脚ではグルー治療が表在静脈血栓症のため保留となる
      かつ 右脚では血管内焼灼術が推奨となる
      かつ 右脚ではグルー治療が選択肢となる

    @FINDING_SUPERFICIAL_REFLUX_GSV @FINDING_VENOUS_DISEASE_CEAP @VEIN_ENDOVENOUS_CANDIDATE
    @FINDING_ARTERIAL_DISEASE_ABI @VEIN_STOCKINGS_PRESSURE_REDUCED @VEIN_STOCKINGS_PRESSURE_STRONG
    @VEIN_ENDOVENOUS_NOT_WITH_ARTERIAL_DISEASE @VEIN_THERMAL_ABLATION
    シナリオ: 片脚の低いABI（足関節上腕血圧比）は、その脚の治療だけを変える
      前提 60歳の男性
      かつ 右脚の所見は次のとおり
        | 静脈の症状                 | 脚のだるさ・重さ |
        | CEAP分類                   | C3               |
        | ABI                        | 1.1              |
        | 大伏在静脈の逆流時間（ms） | 900              |
        | 大伏在静脈の径（mm）       | 6                |
      かつ 左脚の所見は次のとおり
        | 静脈の症状                 | 脚のだるさ・重さ |
        | CEAP分類                   | C3               |
        | ABI                        | 0.7              |
        | 大伏在静脈の逆流時間（ms） | 900              |
        | 大伏在静脈の径（mm）       | 6                |
      もし 治療計画を立てる
      ならば 左脚では弾性ストッキングが推奨となる
      かつ 圧迫圧は20mmHg以下となる
      かつ 左脚では血管内焼灼術が動脈疾患のため非推奨となる
      かつ 右脚では弾性ストッキングが推奨となる
      かつ 圧迫圧は30〜40mmHgとなる
      かつ 右脚では血管内焼灼術が推奨となる
      かつ 左脚は動脈疾患に該当する
      かつ 右脚は動脈疾患に該当しない

    @FINDING_VENOUS_DISEASE_CEAP @VEIN_STOCKINGS @VEIN_STOCKINGS_PRESSURE_MILD
    シナリオ: 静脈疾患のない脚には静脈の治療を何も行わない
      前提 60歳の女性
      かつ 右脚の所見は次のとおり
        | CEAP分類 | C2 |
      かつ 左脚の所見は次のとおり
        | CEAP分類 | C1 |
      もし 治療計画を立てる
      ならば 右脚では弾性ストッキングが推奨となる
      かつ 左脚には静脈の治療は何も提示されない

    @FINDING_VENOUS_DISEASE_CEAP @ADVICE_ELEVATE_LEGS @ADVICE_ELEVATE_LEGS_NOT_WITH_ISCHEMIA
    @SAFETY_ACUTE_LIMB_ISCHEMIA @VEIN_STOCKINGS @VEIN_STOCKINGS_PRESSURE_MILD
    シナリオ: 生活指導は患者全体に対するものなので、片脚に急性虚血の徴候があれば足を高くしない
      前提 60歳の女性
      かつ 右脚の所見は次のとおり
        | CEAP分類 | C2 |
      かつ 左脚の所見は次のとおり
        | 急性虚血の徴候 | あり |
      もし 治療計画を立てる
      ならば 左脚では急性下肢虚血で緊急紹介が推奨となる
      かつ 足を高くして休む指導が急性虚血の徴候のため禁忌となる
      かつ 右脚では弾性ストッキングが推奨となる
      かつ 圧迫圧は20〜30mmHgとなる

  ルール: 緊急または至急の項目があれば、1週間後に再評価する

    @review @SAFETY_DVT @FINDING_DVT_ACUTE @SAFETY_DVT_STOCKINGS_AFTER_ANTICOAGULATION
    @FINDING_VENOUS_DISEASE_CEAP
    シナリオ: 深部静脈血栓症の抗凝固療法を始めた患者は、12週後ではなく1週間後に再評価する
      前提 60歳の男性
      かつ 右脚の所見は次のとおり
        | CEAP分類               | C3    |
        | ABI                    | 1.1   |
        | エコー検査の実施       | 当日  |
        | エコーでの深部静脈血栓 | あり  |
      もし 治療計画を立てる
      ならば 1週後に再評価する

    @SAFETY_ARTERIAL_REVIEW
    シナリオ: 通常紹介だけなら再評価は12週後のまま
      前提 70歳の男性
      かつ 右脚の所見は次のとおり
        | ABI                | 0.45 |
        | 虚血性安静時痛     | なし |
        | 動脈性の潰瘍・壊疽 | なし |
        | CEAP分類           | C0   |
      もし 治療計画を立てる
      ならば 右脚では動脈の精査目的で通常紹介が推奨となる
      かつ 12週後に再評価する

  ルール: 行う治療には確認した禁忌を、確認できなかった禁忌はその旨を示す
    推奨・選択肢・次の段階の項目には、評価して否定された禁忌とその根拠の値を示す。値が分からず
    判断できなかった禁忌は、保留にする定めがなければ「未確認の禁忌」として示す。

    @review @VEIN_STOCKINGS @FINDING_VENOUS_DISEASE_CEAP @VEIN_STOCKINGS_PRESSURE_STRONG
    シナリオ: 弾性ストッキングにはABIの確認を示し、心不全が未聴取なら未確認として示す
      前提 60歳の男性
      かつ 既往歴・併存疾患を聴取していない
      かつ 右脚の所見は次のとおり
        | CEAP分類 | C3   |
        | ABI      | 1.05 |
      もし 治療計画を立てる
      ならば 右脚では弾性ストッキングが推奨となる
      かつ 禁忌の確認としてABI 1.05が示される
      かつ 未確認の禁忌として既往歴・併存疾患の未聴取が示される
